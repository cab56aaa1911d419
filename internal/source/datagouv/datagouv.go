// Package datagouv finds the current files of a data.gouv.fr dataset
// through its API (GET /api/1/datasets/<id or slug>/), so that pipelines
// name a dataset rather than a file URL that moves with each upload.
package datagouv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/vigie-data/vigie/internal/fetch"
)

// Resource is one file of a dataset, as the API describes it.
type Resource struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	URL          string `json:"url"`
	Format       string `json:"format"`
	Type         string `json:"type"` // main, documentation, update, …
	Filesize     int64  `json:"filesize"`
	LastModified string `json:"last_modified"` // as the API writes it (ISO 8601); compared, not parsed
}

// FileName is the last element of the resource's URL path.
func (r Resource) FileName() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return ""
	}
	return path.Base(u.Path)
}

type dataset struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Resources []Resource `json:"resources"`
}

// Resolve reads the dataset at apiURL and returns its resources whose
// title or file name match, sorted by title. It fails when none match, so
// that a renamed file shows up as an error rather than as silence.
func Resolve(ctx context.Context, c *fetch.Client, apiURL string, match *regexp.Regexp) ([]Resource, error) {
	body, err := c.Get(ctx, apiURL)
	if err != nil {
		return nil, fmt.Errorf("data.gouv.fr dataset: %w", err)
	}
	var d dataset
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("data.gouv.fr dataset %s: unexpected answer: %w", apiURL, err)
	}
	var out []Resource
	var names []string
	for _, r := range d.Resources {
		names = append(names, r.Title)
		if r.URL == "" || (match != nil && !match.MatchString(r.Title) && !match.MatchString(r.FileName())) {
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("data.gouv.fr dataset %q (%s): no resource matches %q; resources: %s",
			d.Title, apiURL, match, strings.Join(names, ", "))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out, nil
}
