package decpparse

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"

	"github.com/vigie-data/vigie/internal/source/tabular"
)

// decp-processing's tabular layout (data.gouv.fr dataset
// 608c055b35eb4e6ee20eb325, decp.parquet and decp.csv) has one row per
// contract, modification and holder. ScanTable groups the rows of a
// contract back together and hands on one Record per contract: a 2022
// format JSON object, built from the rows, that the Decoder reads like any
// other. So the cleaning, quality flags, identity (KeyHash), versions,
// detection and de-duplication are the JSON path's, with nothing to keep
// in step; the repairs only this layout needs (leading zeros lost by its
// integer columns) travel as Record.Flags, its provenance (sourceDataset,
// sourceFile) as Record.Where.
//
// Grouping assumes, as decp-processing writes them, that the rows of a
// contract (one uid) are adjacent. Only the current contract's rows are
// held. A uid met again after other contracts cannot be merged without
// holding the file: its later rows are quarantined (Record.Err names the
// rows) rather than stored as a second, partial version. The scanner
// keeps an 8-byte hash of every uid seen to tell (about 40 MB for the
// national file's ~1.5 M contracts).

// Formats of the tabular layout, as Sniff tells them.
const (
	FormatParquet = "parquet"
	FormatCSV     = "csv"
)

// Quality flags of the tabular layout.
const (
	FlagZerosRestored = "leading_zeros_restored" // an id or code read from an integer column, padded back to its width
	FlagRowsSplit     = "tabular_rows_inconsistent"
)

// tableColumns are the columns ScanTable reads.
var tableColumns = []string{
	"uid", "id", "nature", "acheteur_id", "acheteur_nom",
	"titulaire_id", "titulaire_typeIdentifiant", "titulaire_nom",
	"objet", "montant", "codeCPV", "procedure", "techniques", "dureeMois", "offresRecues",
	"dateNotification", "datePublicationDonnees", "formePrix", "typesPrix",
	"attributionAvance", "tauxAvance", "marcheInnovant", "modalitesExecution",
	"considerationsSociales", "considerationsEnvironnementales", "ccag",
	"sousTraitanceDeclaree", "typeGroupementOperateurs", "origineUE", "origineFrance",
	"lieuExecution_code", "lieuExecution_typeCode", "idAccordCadre",
	"modification_id", "donneesActuelles", "sourceDataset", "sourceFile",
}

// IsTableHeader tells decp-processing's CSV header from its first line.
func IsTableHeader(line []byte) bool {
	line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	for _, col := range []string{"uid", "acheteur_id", "titulaire_id", "modification_id", "donneesActuelles"} {
		if !bytes.Contains(line, []byte(col)) {
			return false
		}
	}
	return true
}

// sniffTable tells the tabular formats from a document's first bytes.
func sniffTable(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PAR1")):
		return FormatParquet
	case IsTableHeader(head):
		return FormatCSV
	}
	return ""
}

// tableRow is one row's values, in tableColumns' order ("" when null or
// absent).
type tableRow struct{ v []string }

// colIndex is the rank of each of tableColumns.
var colIndex = func() map[string]int {
	m := map[string]int{}
	for i, c := range tableColumns {
		m[c] = i
	}
	return m
}()

func (r tableRow) get(name string) string { return r.v[colIndex[name]] }

// ScanTable reads the rows of r (decp-processing's layout) and emits one
// Record per contract. origin is only used in messages.
func ScanTable(r tabular.Reader, emit func(Record) error) error {
	idx := map[string]int{}
	for i, c := range r.Columns() {
		idx[c] = i
	}
	for _, need := range []string{"uid", "id", "acheteur_id"} {
		if _, ok := idx[need]; !ok {
			return fmt.Errorf("%w: table without a %s column", ErrNotDECP, need)
		}
	}
	g := &grouper{idx: idx, seen: map[uint64]struct{}{}, emit: emit, at: make([]int, len(tableColumns))}
	for k, name := range tableColumns {
		g.at[k] = -1
		if i, ok := idx[name]; ok {
			g.at[k] = i
		}
	}
	rowNum := int64(0)
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		rowNum++
		if err != nil {
			// A row the reader cannot give: quarantined alone; the
			// reader goes on where it can (CSV), or stops (Parquet).
			if err := g.flush(); err != nil {
				return err
			}
			rec := Record{Index: g.index, Offset: rowNum, Where: r.Position(), Err: bad("unreadable row: %v", err)}
			g.index++
			if err := emit(rec); err != nil {
				return err
			}
			if pe := (*csv.ParseError)(nil); !errors.As(err, &pe) {
				return err // a broken Parquet file: the run fails, re-run safe
			}
			continue
		}
		if err := g.add(row, rowNum); err != nil {
			return err
		}
	}
	return g.flush()
}

// grouper gathers the rows of the current uid.
type grouper struct {
	idx   map[string]int
	at    []int // for each of tableColumns, its field in the reader's rows (-1: absent)
	seen  map[uint64]struct{}
	emit  func(Record) error
	uid   string
	rows  []tableRow
	first int64 // row number of the first row of the group
	index int64
}

func (g *grouper) col(row []string, name string) string {
	if i, ok := g.idx[name]; ok && i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

func (g *grouper) add(row []string, rowNum int64) error {
	uid := g.col(row, "uid")
	if uid == "" {
		uid = g.col(row, "acheteur_id") + g.col(row, "id")
	}
	if uid != g.uid || len(g.rows) == 0 {
		if err := g.flush(); err != nil {
			return err
		}
		g.uid, g.first = uid, rowNum
	}
	v := make([]string, len(tableColumns))
	for k, i := range g.at {
		if i >= 0 && i < len(row) {
			v[k] = row[i]
		}
	}
	g.rows = append(g.rows, tableRow{v: v})
	return nil
}

// flush emits the current group as one Record.
func (g *grouper) flush() error {
	if len(g.rows) == 0 {
		return nil
	}
	rows, uid := g.rows, g.uid
	g.rows = nil
	rec := Record{Index: g.index, Offset: g.first, Kind: KindMarche, Envelope: Schema2022}
	g.index++
	last := g.first + int64(len(rows)) - 1
	where := "row " + strconv.FormatInt(g.first, 10)
	if last > g.first {
		where = "rows " + strconv.FormatInt(g.first, 10) + "-" + strconv.FormatInt(last, 10)
	}
	if ds := rows[0].get("sourceDataset"); ds != "" {
		where += "; sourceDataset " + ds
	}
	if sf := rows[0].get("sourceFile"); sf != "" {
		where += "; sourceFile " + sf
	}
	rec.Where = where
	h := xxhash.Sum64String(uid)
	if _, dup := g.seen[h]; dup {
		rec.Err = bad("rows of uid %q not adjacent to its earlier rows: not merged (the table is expected grouped by uid)", uid)
		rec.Body = []byte(uid)
		return g.emit(rec)
	}
	g.seen[h] = struct{}{}
	rec.Text, rec.Flags = contractJSON(rows)
	return g.emit(rec)
}

// contractJSON builds the 2022-format record of a contract's rows: the
// state of modification 0 (or the lowest given) as the contract, each
// later modification_id as a modification giving the contract's amount,
// duration and holders after it.
func contractJSON(rows []tableRow) (string, []string) {
	var flags flagSet
	// Modifications in order of first appearance, their rows grouped.
	type state struct {
		id      int64
		rows    []tableRow
		current bool
	}
	var states []*state
	byID := map[int64]*state{}
	for _, r := range rows {
		id, err := strconv.ParseInt(intText(r.get("modification_id")), 10, 64)
		if err != nil {
			id = 0
		}
		s := byID[id]
		if s == nil {
			s = &state{id: id}
			byID[id] = s
			states = append(states, s)
		}
		s.rows = append(s.rows, r)
		if isTrue(r.get("donneesActuelles")) {
			s.current = true
		}
	}
	// Sort by modification id (few: insertion sort).
	for i := 1; i < len(states); i++ {
		for j := i; j > 0 && states[j].id < states[j-1].id; j-- {
			states[j], states[j-1] = states[j-1], states[j]
		}
	}
	// donneesActuelles must mark the last state: say so when it does not.
	if cur := states[len(states)-1]; !cur.current {
		for _, s := range states {
			if s.current {
				flags.add(FlagRowsSplit)
			}
		}
	}
	base := states[0].rows[0]
	b := make([]byte, 0, 1024)
	b = append(b, '{')
	str := func(key, val string) {
		if val == "" {
			return
		}
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = appendJSONString(b, key)
		b = append(b, ':')
		b = appendJSONString(b, val)
	}
	raw := func(key, val string) { // a number or boolean, checked
		if val == "" {
			return
		}
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = appendJSONString(b, key)
		b = append(b, ':')
		b = appendJSONValue(b, val)
	}
	strs := func(key, val string) {
		if val == "" {
			return
		}
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = appendJSONString(b, key)
		b = append(b, ":["...)
		for i, part := range strings.Split(val, ",") {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, strings.TrimSpace(part))
		}
		b = append(b, ']')
	}
	holdersOf := func(key string, rs []tableRow) {
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = appendJSONString(b, key)
		b = append(b, ":["...)
		n := 0
		for _, r := range rs {
			typ, id, name := r.get("titulaire_typeIdentifiant"), r.get("titulaire_id"), r.get("titulaire_nom")
			if typ == "" && id == "" && name == "" {
				continue
			}
			if strings.EqualFold(typ, "SIRET") || (typ == "" && isInt(id)) {
				var fixed bool
				id, fixed = padInt(id, 14)
				if fixed {
					flags.add(FlagZerosRestored)
				}
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = append(b, `{"titulaire":{`...)
			inner := len(b)
			for _, kv := range [][2]string{{"typeIdentifiant", typ}, {"id", id}, {"denominationSociale", name}} {
				if kv[1] == "" {
					continue
				}
				if len(b) > inner {
					b = append(b, ',')
				}
				b = appendJSONString(b, kv[0])
				b = append(b, ':')
				b = appendJSONString(b, kv[1])
			}
			b = append(b, "}}"...)
		}
		b = append(b, ']')
	}

	str("id", base.get("id"))
	buyer, fixed := padInt(base.get("acheteur_id"), 14)
	if fixed {
		flags.add(FlagZerosRestored)
	}
	b = append(b, `,"acheteur":{`...)
	b = append(b, `"id":`...)
	b = appendJSONString(b, buyer)
	if n := base.get("acheteur_nom"); n != "" {
		b = append(b, `,"nom":`...)
		b = appendJSONString(b, n)
	}
	b = append(b, '}')
	str("nature", base.get("nature"))
	str("objet", base.get("objet"))
	str("codeCPV", base.get("codeCPV"))
	str("procedure", base.get("procedure"))
	if code := base.get("lieuExecution_code"); code != "" || base.get("lieuExecution_typeCode") != "" {
		typ := base.get("lieuExecution_typeCode")
		code, fixed := padPlace(code, typ)
		if fixed {
			flags.add(FlagZerosRestored)
		}
		b = append(b, `,"lieuExecution":{`...)
		inner := len(b)
		for _, kv := range [][2]string{{"code", code}, {"typeCode", typ}} {
			if kv[1] == "" {
				continue
			}
			if len(b) > inner {
				b = append(b, ',')
			}
			b = appendJSONString(b, kv[0])
			b = append(b, ':')
			b = appendJSONString(b, kv[1])
		}
		b = append(b, '}')
	}
	raw("dureeMois", base.get("dureeMois"))
	raw("montant", base.get("montant"))
	str("dateNotification", base.get("dateNotification"))
	str("datePublicationDonnees", base.get("datePublicationDonnees"))
	str("formePrix", base.get("formePrix"))
	strs("typesPrix", base.get("typesPrix"))
	strs("techniques", base.get("techniques"))
	strs("modalitesExecution", base.get("modalitesExecution"))
	strs("considerationsSociales", base.get("considerationsSociales"))
	strs("considerationsEnvironnementales", base.get("considerationsEnvironnementales"))
	raw("offresRecues", base.get("offresRecues"))
	raw("attributionAvance", base.get("attributionAvance"))
	raw("tauxAvance", base.get("tauxAvance"))
	raw("marcheInnovant", base.get("marcheInnovant"))
	str("ccag", base.get("ccag"))
	raw("sousTraitanceDeclaree", base.get("sousTraitanceDeclaree"))
	str("typeGroupementOperateurs", base.get("typeGroupementOperateurs"))
	raw("origineUE", base.get("origineUE"))
	raw("origineFrance", base.get("origineFrance"))
	str("idAccordCadre", base.get("idAccordCadre"))
	str("sourceDataset", base.get("sourceDataset"))
	str("sourceFile", base.get("sourceFile"))
	holdersOf("titulaires", states[0].rows)
	if len(states) > 1 {
		b = append(b, `,"modifications":[`...)
		for i, s := range states[1:] {
			v := s.rows[0]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"modification":{"id":`...)
			b = appendJSONString(b, strconv.FormatInt(s.id, 10))
			raw("dureeMois", v.get("dureeMois"))
			raw("montant", v.get("montant"))
			str("dateNotificationModification", v.get("dateNotification"))
			str("datePublicationDonneesModification", v.get("datePublicationDonnees"))
			holdersOf("titulaires", s.rows)
			b = append(b, "}}"...)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	return string(b), flags.list()
}

// padInt restores the leading zeros an integer column lost: a number of
// fewer than width digits is padded with zeros. A value written as a
// float ("2.1750001600019e+13", "217500016.0") is read back as the
// integer it is. Anything else is returned as given.
func padInt(s string, width int) (string, bool) {
	s = intText(s)
	if s == "" || !isInt(s) || len(s) >= width {
		return s, false
	}
	return strings.Repeat("0", width-len(s)) + s, true
}

// intText writes an integer given as a float as an integer.
func intText(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || isInt(s) || !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > 1e17 {
		return s
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}

func isInt(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// padPlace restores a lieu d'exécution code's width from its type: postal
// and commune codes have 5 characters, département and région codes 2.
// Three-digit départements (971–976) and codes with letters (2A004, 2B)
// are kept: they cannot have lost a zero.
func padPlace(code, typ string) (string, bool) {
	t := fold(typ)
	switch {
	case strings.Contains(t, "postal"), strings.Contains(t, "commune"), strings.Contains(t, "insee"):
		return padInt(code, 5)
	case strings.Contains(t, "departement"), strings.Contains(t, "region"):
		return padInt(code, 2)
	}
	return intText(code), false
}

func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "t", "yes", "oui", "vrai":
		return true
	}
	return false
}

// appendJSONValue appends a number or boolean as JSON, or as a string
// when it is neither (the Decoder then flags it as it would in JSON).
func appendJSONValue(b []byte, s string) []byte {
	switch strings.ToLower(s) {
	case "true", "false":
		return append(b, strings.ToLower(s)...)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	}
	return appendJSONString(b, s)
}

// appendJSONString appends s as a JSON string (invalid UTF-8 replaced).
func appendJSONString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// TableColumns are the columns of decp-processing's layout ScanTable
// reads.
func TableColumns() []string { return append([]string(nil), tableColumns...) }
