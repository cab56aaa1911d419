package boamp

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/source/charset"
)

// archiveDay reads the notices the DILA archive holds for one
// publication day. Since October 2023 a day is a folder {yyyy}/{mm}/{dd}/
// of one XML file per notice (moved later to FluxHistorique/); before, a
// day is one or more per-issue archives (.taz: a zip of tar of XML and
// HTML pairs) whose names carry the date, listed in the year folder. The
// listings are Apache directory pages in ISO-8859-1.
func archiveDay(ctx context.Context, s *sink, c *fetch.Client, base string, day time.Time) error {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	ymd := day.Format("2006/01/02") + "/"
	found := false
	for _, dir := range []string{base + ymd, base + "FluxHistorique/" + ymd} {
		links, err := listing(ctx, c, dir)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		found = true
		if err := walkDay(ctx, s, c, dir, links, 1); err != nil {
			return err
		}
		break
	}
	if !found {
		stamp := day.Format("20060102")
		for _, dir := range []string{base + day.Format("2006") + "/", base + "FluxHistorique/" + day.Format("2006") + "/"} {
			links, err := listing(ctx, c, dir)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			for _, l := range links {
				if strings.Contains(path.Base(l), stamp) && isArchive(l) {
					found = true
					if err := ingestArchive(ctx, s, c, l); err != nil {
						return err
					}
				}
			}
			if found {
				break
			}
		}
	}
	if !found {
		slog.Info("boamp archive: nothing published for the day", "day", day.Format("2006-01-02"))
	}
	return nil
}

func isNotFound(err error) bool {
	var se *fetch.StatusError
	return errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone)
}

func isArchive(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".taz", ".tar", ".tgz", ".tar.gz", ".zip"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// walkDay reads a day folder: XML notices, archives, and sub-folders
// (depth levels more).
func walkDay(ctx context.Context, s *sink, c *fetch.Client, dir string, links []string, depth int) error {
	for _, l := range links {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(l, "/"):
			if depth <= 0 {
				continue
			}
			sub, err := listing(ctx, c, l)
			if err != nil {
				return err
			}
			if err := walkDay(ctx, s, c, l, sub, depth-1); err != nil {
				return err
			}
		case strings.HasSuffix(strings.ToLower(l), ".xml"):
			body, err := c.Get(ctx, l)
			if err != nil {
				return err
			}
			if err := ingestXML(ctx, s, bytes.NewReader(body), l, ""); err != nil {
				return err
			}
		case isArchive(l):
			if err := ingestArchive(ctx, s, c, l); err != nil {
				return err
			}
		}
	}
	return nil
}

// listing reads an Apache directory page and returns the absolute URLs of
// its entries (sorting links and the parent directory left out).
func listing(ctx context.Context, c *fetch.Client, dir string) ([]string, error) {
	body, header, err := c.GetWithHeader(ctx, dir)
	if err != nil {
		return nil, err
	}
	// The DILA server's pages are ISO-8859-1 (its Content-Type says so).
	doc, err := goquery.NewDocumentFromReader(charset.HTML(body, header.Get("Content-Type")))
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	bu, err := url.Parse(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		if href == "" || strings.HasPrefix(href, "?") || strings.HasPrefix(href, "#") || strings.HasPrefix(href, "../") {
			return
		}
		u, err := bu.Parse(href)
		if err != nil || !strings.HasPrefix(u.String(), bu.String()) || u.String() == bu.String() {
			return // parent directory or elsewhere
		}
		u.RawQuery, u.Fragment = "", ""
		if !seen[u.String()] {
			seen[u.String()] = true
			out = append(out, u.String())
		}
	})
	return out, nil
}

// ingestArchive downloads an archive to a temporary file (zip needs
// random access) and reads the XML notices in it, HTML renderings
// skipped.
func ingestArchive(ctx context.Context, s *sink, c *fetch.Client, u string) error {
	tmp, err := os.CreateTemp("", "vigie-boamp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	var size int64
	for attempt := 1; ; attempt++ {
		resp, err := c.Open(ctx, u, nil)
		if err != nil {
			return err
		}
		tmp.Truncate(0)
		tmp.Seek(0, io.SeekStart)
		size, err = io.Copy(tmp, resp.Body)
		resp.Body.Close()
		if err == nil && resp.ContentLength >= 0 && size != resp.ContentLength {
			err = io.ErrUnexpectedEOF
		}
		if err == nil {
			break
		}
		if attempt >= max(c.MaxAttempts, 1) || ctx.Err() != nil {
			return fmt.Errorf("download %s: %w", u, err)
		}
		slog.Warn("boamp archive: download cut short, again", "url", u, "attempt", attempt, "reason", err)
	}
	name := path.Base(u)
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".tar"):
		tmp.Seek(0, io.SeekStart)
		return walkTar(ctx, s, tmp, u, name)
	case strings.HasSuffix(lower, ".tgz"), strings.HasSuffix(lower, ".tar.gz"):
		tmp.Seek(0, io.SeekStart)
		gz, err := gzip.NewReader(tmp)
		if err != nil {
			return s.bad(ctx, nil, u, name, fmt.Errorf("gzip: %w", err))
		}
		return walkTar(ctx, s, gz, u, name)
	}
	// .taz and .zip: a zip whose members are tars or XML files.
	zr, err := zip.NewReader(tmp, size)
	if err != nil {
		return s.bad(ctx, nil, u, name, fmt.Errorf("not a zip archive: %w", err))
	}
	for _, f := range zr.File {
		m := strings.ToLower(f.Name)
		if !strings.HasSuffix(m, ".tar") && !strings.HasSuffix(m, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			if err := s.bad(ctx, nil, u, name+"!"+f.Name, err); err != nil {
				return err
			}
			continue
		}
		if strings.HasSuffix(m, ".tar") {
			err = walkTar(ctx, s, rc, u, name+"!"+f.Name)
		} else {
			err = ingestXML(ctx, s, rc, u, name+"!"+f.Name)
		}
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func walkTar(ctx context.Context, s *sink, r io.Reader, origin, prefix string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return s.bad(ctx, nil, origin, prefix, fmt.Errorf("tar: %w", err))
		}
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(strings.ToLower(h.Name), ".xml") {
			continue
		}
		if err := ingestXML(ctx, s, tr, origin, prefix+"!"+h.Name); err != nil {
			return err
		}
	}
}
