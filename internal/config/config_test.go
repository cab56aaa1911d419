package config

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

// TestDSNNeverPrinted: -h shows the DSN default from VIGIE_CLICKHOUSE
// without its password, and MaskDSN hides it in every spelling.
func TestDSNNeverPrinted(t *testing.T) {
	t.Setenv("VIGIE_CLICKHOUSE", "clickhouse://vigie:s3cret-pw@db.internal:9000/vigie")
	c := FromEnv()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	c.StoreFlags(fs)
	fs.PrintDefaults()
	if strings.Contains(out.String(), "s3cret-pw") || !strings.Contains(out.String(), "db.internal") {
		t.Errorf("-h shows:\n%s", out.String())
	}
	if err := fs.Parse([]string{"-clickhouse", "clickhouse://u:other@h:9000/d"}); err != nil || c.ClickHouse != "clickhouse://u:other@h:9000/d" {
		t.Errorf("flag value %q, %v", c.ClickHouse, err)
	}
	for _, dsn := range []string{"clickhouse://vigie:s3cret-pw@h:9000/db", "clickhouse://h:9000/db?username=u&password=s3cret-pw",
		"clickhouse://vigie:s3cret%2Dpw@h:9000/db"} {
		if m := MaskDSN(dsn); strings.Contains(m, "s3cret") || !strings.Contains(m, "h:9000") {
			t.Errorf("MaskDSN(%q) = %q", dsn, m)
		}
	}
}
