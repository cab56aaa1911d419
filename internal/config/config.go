// Package config reads vigie's settings: environment variables, each of
// which a command-line flag overrides.
package config

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
)

// Config is what every command may need.
type Config struct {
	ClickHouse string // VIGIE_CLICKHOUSE: clickhouse-go DSN; empty = managed server
	DataDir    string // VIGIE_DATA: managed ClickHouse and local state
	Addr       string // VIGIE_ADDR: API listen address
	Pipelines  string // VIGIE_PIPELINES: directory of pipeline definitions
	// TrustedProxies (VIGIE_TRUSTED_PROXIES): addresses or CIDR prefixes
	// of reverse proxies whose X-Forwarded-For names the client.
	TrustedProxies string
}

// Defaults.
const (
	DefaultDataDir   = "./data"
	DefaultAddr      = "127.0.0.1:8080"
	DefaultPipelines = "./pipelines"
	DefaultDatabase  = "vigie"
)

// FromEnv reads the environment, with defaults for what is unset.
func FromEnv() *Config {
	return &Config{
		ClickHouse: os.Getenv("VIGIE_CLICKHOUSE"),
		DataDir:    envOr("VIGIE_DATA", DefaultDataDir),
		Addr:       envOr("VIGIE_ADDR", DefaultAddr),
		Pipelines:  envOr("VIGIE_PIPELINES", DefaultPipelines),

		TrustedProxies: os.Getenv("VIGIE_TRUSTED_PROXIES"),
	}
}

// LockDir is where runs hold their pipeline's lock: in the data
// directory, so that the processes sharing it (and its managed
// ClickHouse) see each other's runs. "" without a data directory.
func (c *Config) LockDir() string {
	if c.DataDir == "" {
		return ""
	}
	return filepath.Join(c.DataDir, "locks")
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// StoreFlags adds the flags that choose the database.
func (c *Config) StoreFlags(fs *flag.FlagSet) {
	fs.Var(dsnFlag{&c.ClickHouse}, "clickhouse", "ClickHouse DSN, e.g. clickhouse://default:@127.0.0.1:9000/vigie (env VIGIE_CLICKHOUSE; empty: vigie starts its own server)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory for the managed ClickHouse and local state (env VIGIE_DATA)")
}

// AddrFlag adds the API listen address flag.
func (c *Config) AddrFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "API listen address (env VIGIE_ADDR)")
}

// PipelinesFlag adds the pipeline directory flag.
func (c *Config) PipelinesFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.Pipelines, "pipelines", c.Pipelines, "directory of pipeline definitions (env VIGIE_PIPELINES)")
}

// MaskDSN is dsn with its password replaced, for logs, errors and help
// texts: a DSN from VIGIE_CLICKHOUSE must never be printed whole.
func MaskDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// dsnFlag is the -clickhouse flag: its default (from the environment)
// is shown masked by -h.
type dsnFlag struct{ p *string }

func (f dsnFlag) String() string {
	if f.p == nil || *f.p == "" {
		return ""
	}
	return MaskDSN(*f.p)
}

func (f dsnFlag) Set(v string) error { *f.p = v; return nil }
