package boamp

import (
	"html"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // deadlines without an offset are Paris time, wherever vigie runs

	"github.com/PuerkitoBio/goquery"
)

var (
	blockTag = regexp.MustCompile(`(?i)<\s*(br|/p|/li|/div|/tr|/h[1-6])\b[^>]*>`)
	spaces   = regexp.MustCompile(`[ \t\x{00a0}]+`)
	blankRun = regexp.MustCompile(`\n\s*\n+`)
)

// plain makes a notice text plain: HTML tags stripped (goquery), entities
// decoded, runs of spaces collapsed, paragraphs kept as newlines.
func plain(s string) string {
	if s == "" {
		return ""
	}
	if strings.ContainsRune(s, '<') && strings.ContainsRune(s, '>') {
		s = blockTag.ReplaceAllString(s, "$0\n")
		if doc, err := goquery.NewDocumentFromReader(strings.NewReader(s)); err == nil {
			s = doc.Text()
		}
	} else if strings.ContainsRune(s, '&') {
		s = html.UnescapeString(s)
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = spaces.ReplaceAllString(s, " ")
	s = blankRun.ReplaceAllString(s, "\n")
	return strings.TrimSpace(s)
}

// join joins the non-empty plain texts with newlines.
func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = plain(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}

var paris = mustLoc("Europe/Paris")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// parseDate reads the date part of "2026-01-21", "2026-01-21+01:00" or a
// timestamp.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s[:10])
	return t, err == nil
}

// parseDeadline reads a BOAMP deadline as an instant. A value without an
// offset is Paris local time (what the buyer typed); with one, the offset
// is trusted. A date alone means the end of that day is not known, so
// noon is not invented: midnight Paris time is used.
func parseDeadline(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, paris); err == nil {
			return t.UTC(), true
		}
	}
	// eForms style: date and time each with an offset, or a date with one.
	if len(s) > 10 {
		if t, err := time.Parse("2006-01-02Z07:00", s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, paris).UTC(), true
		}
	}
	return time.Time{}, false
}
