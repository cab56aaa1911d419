package chserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The configuration is the smallest one that both ClickHouse 18.16 (what
// Debian ships) and current releases accept: the old <yandex> root, the
// native port only, loopback only, and a default user without password that
// can connect from loopback alone. Parts are compressed with ZSTD, which
// keeps the raw documents vigie stores small.
const configTemplate = `<?xml version="1.0"?>
<!-- Written by vigie on every start; edits are overwritten. -->
<yandex>
  <logger>
    <level>warning</level>
    <log>{{DIR}}/log/clickhouse-server.log</log>
    <errorlog>{{DIR}}/log/clickhouse-server.err.log</errorlog>
    <size>50M</size>
    <count>3</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>{{TCP}}</tcp_port>
  <path>{{DIR}}/data/</path>
  <tmp_path>{{DIR}}/tmp/</tmp_path>
  <user_files_path>{{DIR}}/user_files/</user_files_path>
  <format_schema_path>{{DIR}}/format_schemas/</format_schema_path>
  <users_config>{{DIR}}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>200</max_concurrent_queries>
  <compression>
    <case><method>zstd</method></case>
  </compression>
</yandex>
`

const usersXML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>8000000000</max_memory_usage>
      <use_uncompressed_cache>0</use_uncompressed_cache>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries><errors>0</errors><result_rows>0</result_rows>
        <read_rows>0</read_rows><execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`

func writeConfig(dir string, tcpPort int) error {
	cfg := strings.NewReplacer("{{DIR}}", dir, "{{TCP}}", fmt.Sprint(tcpPort)).Replace(configTemplate)
	if err := os.WriteFile(filepath.Join(dir, "config.xml"), []byte(cfg), 0o640); err != nil {
		return fmt.Errorf("managed clickhouse: write config: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "users.xml"), []byte(usersXML), 0o640); err != nil {
		return fmt.Errorf("managed clickhouse: write users: %w", err)
	}
	return nil
}
