package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/vigie-data/vigie/internal/chserver"
	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/store"
)

// session is an open store, with the managed server behind it if any.
type session struct {
	Store  *store.Store
	Server *chserver.Server // nil when VIGIE_CLICKHOUSE names a server
	DSN    string
}

// Close closes the store and stops a managed server this process started.
func (s *session) Close() {
	if s.Store != nil {
		s.Store.Close()
	}
	if s.Server != nil && s.Server.Owned() {
		slog.Info("stopping managed ClickHouse")
		s.Server.Stop()
	}
}

// openStore connects to the configured ClickHouse, or starts the managed
// one under $VIGIE_DATA/clickhouse, and applies pending migrations when
// migrate is set.
func openStore(ctx context.Context, cfg *config.Config, migrate bool) (*session, error) {
	s := &session{DSN: cfg.ClickHouse}
	if s.DSN == "" {
		dir := filepath.Join(cfg.DataDir, "clickhouse")
		srv, err := chserver.Start(ctx, dir)
		if err != nil {
			return nil, err
		}
		s.Server = srv
		s.DSN = srv.DSN(config.DefaultDatabase)
		if srv.Owned() {
			slog.Info("managed ClickHouse started", "dir", srv.Dir, "port", srv.TCPPort)
		} else {
			slog.Info("using the managed ClickHouse another vigie runs", "dir", srv.Dir, "port", srv.TCPPort)
		}
	}
	st, err := store.Open(ctx, s.DSN)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Store = st
	if migrate {
		ran, err := st.Migrate(ctx)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("migrate: %w", err)
		}
		for _, m := range ran {
			slog.Info("migration applied", "version", m.Version, "name", m.Name)
		}
	}
	return s, nil
}
