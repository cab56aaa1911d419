package store

import (
	"context"
	"errors"
	"net/url"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ClickHouse error codes the readers tell apart.
const (
	codeTimeoutExceeded = 159 // TIMEOUT_EXCEEDED: max_execution_time reached
	codeTooSlow         = 160 // TOO_SLOW: estimated to exceed max_execution_time
)

// IsTimeout says whether err is a query that ran out of time: the
// caller's deadline, or ClickHouse's max_execution_time, which queryCtx
// sets from that deadline.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && (ex.Code == codeTimeoutExceeded || ex.Code == codeTooSlow)
}

// maskDSN hides a DSN's password in error messages.
func maskDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
