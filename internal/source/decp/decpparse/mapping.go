package decpparse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
)

// A record is read into a generic tree first (*object, []any,
// string, float64, bool, nil — from JSON or from XML alike) and then into
// a Contract by one mapping that accepts every variant real files carry:
// wrapper objects or flat lists, singular names at top level, lists of
// lists, strings for numbers, "NC" and nulls.

// errRecord is a record that cannot be read; the message is the
// quarantine reason.
type errRecord struct{ msg string }

func (e errRecord) Error() string { return e.msg }

func bad(format string, a ...any) error { return errRecord{fmt.Sprintf(format, a...)} }

// fields2022 are names that exist only in the 2022 format: a record
// carrying one is read as 2022 even inside a 2019 envelope.
var fields2022 = []string{"considerationsSociales", "considerationsEnvironnementales", "marcheInnovant",
	"ccag", "offresRecues", "typesPrix", "typePrix", "modalitesExecution", "modaliteExecution", "techniques",
	"technique", "actesSousTraitance", "sousTraitanceDeclaree", "attributionAvance", "origineUE", "idAccordCadre"}

// parseRecord maps one record tree to a Contract. kindHint is the kind
// the envelope tells ("" when it does not). now is the day of ingestion.
func parseRecord(tree any, kindHint, envelope string, now time.Time) (*Contract, error) {
	m, ok := tree.(*object)
	if !ok {
		return nil, bad("record is a %s, not an object", typeName(tree))
	}
	c := &Contract{Kind: kindOf(m, kindHint), SchemaVersion: schemaOf(m, envelope)}
	var flags flagSet
	if err := readIdentity(c, m, &flags); err != nil {
		return nil, err
	}
	readFields(c, m, &flags)
	c.Modifications = readModifications(m, &flags)
	applyModifications(c)
	c.Subcontracts = readSubcontracts(m)
	if c.SchemaVersion == Schema2022 {
		social := first(m, "considerationsSociales", "considerationSociale")
		env := first(m, "considerationsEnvironnementales", "considerationEnvironnementale")
		c.Considerations.Social = strList(social, "considerationSociale")
		c.Considerations.Environmental = strList(env, "considerationEnvironnementale")
		declareSocial(&c.Considerations, &flags)
		declareEnv(&c.Considerations, &flags)
	}
	check(c, now, &flags)
	c.LastPublished = c.PublicationDate
	for i := range c.Modifications {
		if p := c.Modifications[i].PublicationDate; p != nil && (c.LastPublished == nil || p.After(*c.LastPublished)) {
			c.LastPublished = p
		}
	}
	c.QualityFlags = flags.list()
	c.ContentHash = contentHash(c)
	return c, nil
}

// kindOf tells a marché from a concession: the envelope, then _type, then
// the buyer's field name.
func kindOf(m *object, hint string) string {
	if hint != "" {
		return hint
	}
	t := fold(scalar(m.get("_type")))
	switch {
	case strings.Contains(t, "concession"):
		return KindConcession
	case t != "":
		return KindMarche
	case m.get("autoriteConcedante") != nil || m.get("concessionnaires") != nil || m.get("valeurGlobale") != nil:
		return KindConcession
	}
	return KindMarche
}

// schemaOf tells the format of a record: the envelope's, or 2022 when the
// record carries a field only that format has.
func schemaOf(m *object, envelope string) string {
	if envelope == Schema2022 {
		return Schema2022
	}
	for _, f := range fields2022 {
		if _, ok := m.lookup(f); ok {
			return Schema2022
		}
	}
	return Schema2019
}

// readIdentity reads the contract id and the buyer; a record without
// them cannot be stored.
func readIdentity(c *Contract, m *object, flags *flagSet) error {
	id, err := scalarStrict(m.get("id"), "id")
	if err != nil {
		return err
	}
	c.ID = strings.TrimSpace(id)
	buyer := m.get("acheteur")
	if buyer == nil {
		buyer = m.get("autoriteConcedante")
	}
	if s, ok := asString(buyer); ok {
		buyer = s
	}
	switch b := buyer.(type) {
	case *object:
		sid, err := scalarStrict(b.get("id"), "acheteur.id")
		if err != nil {
			return err
		}
		c.Buyer.SIRET = cleanSiret(strings.TrimSpace(sid))
		c.Buyer.Name = scalar(b.get("nom"))
	case string:
		c.Buyer.SIRET = cleanSiret(strings.TrimSpace(b))
	case nil:
	default:
		return bad("acheteur is a %s, not an object", typeName(buyer))
	}
	switch {
	case c.Buyer.SIRET == "" && c.ID == "":
		return bad("no buyer and no contract id")
	case c.Buyer.SIRET == "":
		return bad("no buyer (acheteur/autoriteConcedante id)")
	case c.ID == "" || notGiven(c.ID):
		return bad("no contract id")
	}
	if !validSiret(c.Buyer.SIRET) {
		flags.add(FlagBuyerSiret)
	}
	if len(c.Buyer.SIRET) >= 9 && allDigits(c.Buyer.SIRET[:9]) {
		c.Buyer.SIREN = c.Buyer.SIRET[:9]
	}
	c.UID = strings.TrimSpace(scalar(m.get("uid")))
	if c.UID == "" {
		c.UID = c.Buyer.SIRET + c.ID
	}
	return nil
}

// readFields reads what the contract says of itself, as first awarded.
func readFields(c *Contract, m *object, flags *flagSet) {
	c.Nature = scalar(m.get("nature"))
	c.Object = scalar(m.get("objet"))
	cpv, f := normCPV(scalar(m.get("codeCPV")))
	c.CPV = cpv
	if f != "" {
		flags.add(f)
	}
	p, known := procedure(scalar(m.get("procedure")))
	c.Procedure = p
	if !known {
		flags.add(FlagProcedureOther)
	}
	if le, ok := m.get("lieuExecution").(*object); ok {
		c.Place.Code = scalar(le.get("code"))
		c.Place.CodeType = scalar(le.get("typeCode"))
		c.Place.Name = scalar(le.get("nom"))
		derivePlace(&c.Place)
	}
	c.InitialDurationMonths = duration(m.get("dureeMois"), flags)
	c.DurationMonths = c.InitialDurationMonths

	notif := m.get("dateNotification")
	if notif == nil {
		notif = m.get("dateSignature")
	}
	c.NotificationDate = date(notif, flags)
	c.PublicationDate = date(m.get("datePublicationDonnees"), flags)

	amountField := m.get("montant")
	if c.Kind == KindConcession || amountField == nil {
		if v, ok := m.lookup("valeurGlobale"); ok {
			amountField = v
		}
	}
	c.InitialAmount = amount(amountField, flags)
	c.Amount = c.InitialAmount

	c.PriceForm = scalar(m.get("formePrix"))
	c.Techniques = strList(first(m, "techniques", "technique"), "technique")
	c.Modalities = strList(first(m, "modalitesExecution", "modaliteExecution"), "modaliteExecution")

	holderField := first(m, "titulaires", "concessionnaires", "titulaire", "concessionnaire")
	c.InitialHolders = holders(holderField, flags)
	c.Holders = c.InitialHolders
}

// readModifications reads the modifications, in the record's order.
func readModifications(m *object, flags *flagSet) []Modification {
	var out []Modification
	for i, e := range list(m.get("modifications"), "modification") {
		mm, ok := e.(*object)
		if !ok {
			continue
		}
		md := Modification{ID: scalar(mm.get("id"))}
		if md.ID == "" {
			md.ID = strconv.Itoa(i + 1)
		}
		md.Object = scalar(mm.get("objetModification"))
		sig := first(mm, "dateNotificationModification", "dateSignatureModification")
		md.SignatureDate = date(sig, flags)
		md.PublicationDate = date(mm.get("datePublicationDonneesModification"), flags)
		amt := mm.get("montant")
		if amt == nil {
			amt = mm.get("valeurGlobale")
		}
		if amt != nil {
			md.Amount = amount(amt, nil)
		}
		md.DurationMonths = duration(mm.get("dureeMois"), nil)
		md.Holders = holders(first(mm, "titulaires", "concessionnaires"), flags)
		out = append(out, md)
	}
	return out
}

// readSubcontracts reads the actes de sous-traitance.
func readSubcontracts(m *object) []Subcontract {
	var out []Subcontract
	for i, e := range list(m.get("actesSousTraitance"), "acteSousTraitance") {
		am, ok := e.(*object)
		if !ok {
			continue
		}
		st := Subcontract{ID: scalar(am.get("id"))}
		if st.ID == "" {
			st.ID = strconv.Itoa(i + 1)
		}
		if hs := holders(am.get("sousTraitant"), nil); len(hs) > 0 {
			st.Subcontractor = hs[0]
		}
		st.DurationMonths = duration(am.get("dureeMois"), nil)
		st.NotificationDate = date(am.get("dateNotification"), nil)
		st.Amount = amount(am.get("montant"), nil)
		st.PriceVariation = scalar(am.get("variationPrix"))
		out = append(out, st)
	}
	return out
}

// check flags dates out of range and lost encodings.
func check(c *Contract, now time.Time, flags *flagSet) {
	today := now.UTC().Truncate(24 * time.Hour)
	y2000 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if (c.NotificationDate != nil && c.NotificationDate.After(today)) || (c.PublicationDate != nil && c.PublicationDate.After(today)) {
		flags.add(FlagDateFuture)
	}
	if c.NotificationDate != nil && c.NotificationDate.Before(y2000) {
		flags.add(FlagDateBefore2000)
	}
	if hasMojibake(c.Object) || hasMojibake(c.Buyer.Name) || hasMojibake(c.Place.Name) || holdersMojibake(c.Holders) {
		flags.add(FlagMojibake)
	}
}

// applyModifications gives the current amount, duration and holders: the
// modifications in order of signature (then publication, then rank), each
// replacing what it gives.
func applyModifications(c *Contract) {
	if len(c.Modifications) == 0 {
		return
	}
	order := make([]int, len(c.Modifications))
	for i := range order {
		order[i] = i
	}
	key := func(m *Modification) time.Time {
		if m.SignatureDate != nil {
			return *m.SignatureDate
		}
		if m.PublicationDate != nil {
			return *m.PublicationDate
		}
		return time.Time{}
	}
	sort.SliceStable(order, func(a, b int) bool {
		return key(&c.Modifications[order[a]]).Before(key(&c.Modifications[order[b]]))
	})
	for _, i := range order {
		m := &c.Modifications[i]
		if m.Amount != nil {
			c.Amount = m.Amount
		}
		if m.DurationMonths != nil {
			c.DurationMonths = m.DurationMonths
		}
		if len(m.Holders) > 0 {
			c.Holders = m.Holders
		}
	}
}

// Declared considerations. A field given with at least one value read
// (Declare) answers the question: each flag is then true or false. A
// field whose values are all unknown leaves the flags unset, flagged.
func declareSocial(k *Considerations, flags *flagSet) {
	var clause, crit, res bool
	if !declare(k.Social, false, flags, func(d Declaration) {
		clause, crit, res = clause || d.Clause, crit || d.Criterion, res || d.Reserved
	}) {
		return
	}
	k.SocialClause, k.SocialCriterion, k.Reserved = &clause, &crit, &res
}

func declareEnv(k *Considerations, flags *flagSet) {
	var clause, crit bool
	if !declare(k.Environmental, true, flags, func(d Declaration) {
		clause, crit = clause || d.Clause, crit || d.Criterion
	}) {
		return
	}
	k.EnvClause, k.EnvCriterion = &clause, &crit
}

// declare calls f with what each given value declares, and tells whether
// any was read.
func declare(vals []string, env bool, flags *flagSet, f func(Declaration)) (read bool) {
	for _, v := range given(vals) {
		d, known := Declare(v, env)
		if !known {
			flags.add(FlagConsiderationUnknown)
		}
		if known || d != (Declaration{}) {
			read = true
			f(d)
		}
	}
	return read
}

func given(vals []string) []string {
	var out []string
	for _, v := range vals {
		if !notGiven(v) {
			out = append(out, v)
		}
	}
	return out
}

// --- tree helpers ---

func typeName(v any) string {
	switch v.(type) {
	case *object:
		return "object"
	case []any, *[]any:
		return "list"
	case string, *string:
		return "string"
	case float64, *float64, bigNumber:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// first returns the first of names that m has (not null).
func first(m *object, names ...string) any {
	for _, n := range names {
		if v := m.get(n); v != nil {
			return v
		}
	}
	return nil
}

// scalar returns a scalar value as trimmed text ("" for null, objects, lists).
func scalar(v any) string {
	if x, ok := asString(v); ok {
		return strings.TrimSpace(x)
	}
	if x, ok := asNumber(v); ok {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	switch x := v.(type) {
	case bigNumber:
		return string(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

// scalarStrict is scalar for identity fields, where an object or a list
// is a record that cannot be read.
func scalarStrict(v any, name string) (string, error) {
	switch v.(type) {
	case *object, []any, *[]any:
		return "", bad("%s is a %s, not a value", name, typeName(v))
	}
	return scalar(v), nil
}

// list flattens a list field of any shape into its elements: a list, a
// list of lists, a wrapper object {"titulaire": ...}, a list of wrapper
// objects, or a single element.
func list(v any, wrapper string) []any {
	var out []any
	eachItem(v, wrapper, func(e any) { out = append(out, e) })
	return out
}

// eachItem calls f with each element of a list field, as list gives them,
// without making the list.
func eachItem(v any, wrapper string, f func(any)) {
	if v == nil {
		return
	}
	if l, ok := asList(v); ok {
		for _, e := range l {
			eachItem(e, wrapper, f)
		}
		return
	}
	if x, ok := v.(*object); ok {
		if inner, ok := x.only(wrapper); ok {
			eachItem(inner, wrapper, f)
			return
		}
	}
	if x, ok := asString(v); ok && notGiven(x) {
		return
	}
	f(v)
}

// strList is list for lists of values.
func strList(v any, wrapper string) []string {
	var out []string
	eachItem(v, wrapper, func(e any) {
		if s := scalar(e); s != "" {
			out = append(out, s)
		}
	})
	return out
}

func holders(v any, flags *flagSet) []Holder {
	var out []Holder
	eachItem(v, "titulaire", func(e any) {
		if mm, ok := e.(*object); ok {
			if inner, ok := mm.only("concessionnaire"); ok {
				e = inner
			}
		}
		hm, ok := e.(*object)
		if !ok {
			return
		}
		h := Holder{Type: scalar(hm.get("typeIdentifiant")), ID: scalar(hm.get("id")), Name: scalar(hm.get("denominationSociale"))}
		if h.Type == "" && h.ID == "" && h.Name == "" {
			return
		}
		if strings.EqualFold(h.Type, "SIRET") {
			h.ID = cleanSiret(h.ID)
			if flags != nil && !validSiret(h.ID) {
				flags.add(FlagHolderSiret)
			}
		}
		out = append(out, h)
	})
	return out
}

func date(v any, flags *flagSet) *time.Time {
	s := scalar(v)
	if notGiven(s) {
		return nil
	}
	t, ok := parseDate(s)
	if !ok {
		if flags != nil {
			flags.add(FlagDateInvalid)
		}
		return nil
	}
	return &t
}

// number reads a JSON number or a numeric string: given is false when the
// value is absent or a "not given" marker, ok false when it is no finite
// number.
func number(v any) (x float64, given, ok bool) {
	if n, isNum := asNumber(v); isNum {
		x = n
	} else if a, isStr := asString(v); isStr {
		if notGiven(a) {
			return 0, false, false
		}
		if x, ok = parseNumber(a); !ok {
			return 0, true, false
		}
	} else if v == nil {
		return 0, false, false
	} else {
		return 0, true, false
	}
	return x, true, !math.IsNaN(x) && !math.IsInf(x, 0)
}

func amount(v any, flags *flagSet) *float64 {
	x, given, ok := number(v)
	switch {
	case !given:
		flags.add(FlagAmountMissing)
		return nil
	case !ok:
		flags.add(FlagAmountInvalid)
		return nil
	}
	switch {
	case x == 0:
		flags.add(FlagAmountZero)
	case x < 0:
		flags.add(FlagAmountNegative)
	case isPlaceholder(x):
		flags.add(FlagAmountPlacehold)
	case x > AbsurdAmount:
		flags.add(FlagAmountAbsurd)
	}
	return &x
}

// duration is in months; absent (or a "not given" marker) is no flag.
func duration(v any, flags *flagSet) *float64 {
	x, given, ok := number(v)
	if !given {
		return nil
	}
	if !ok || x < 0 {
		flags.add(FlagDurationInvalid)
		return nil
	}
	return &x
}

func hasMojibake(s string) bool { return strings.Contains(s, "\uFFFD") }

func holdersMojibake(hs []Holder) bool {
	for _, h := range hs {
		if hasMojibake(h.Name) {
			return true
		}
	}
	return false
}

// flagSet collects quality flags without duplicates, in first-seen order.
// Its methods accept a nil receiver (flags not wanted).
type flagSet struct{ flags []string }

func (f *flagSet) add(flag string) {
	if f == nil {
		return
	}
	for _, g := range f.flags {
		if g == flag {
			return
		}
	}
	f.flags = append(f.flags, flag)
}

func (f *flagSet) list() []string { return f.flags }

// contentHash digests what a contract says (not where it was read), so
// that the same contract carried by two channels hashes the same.
func contentHash(c *Contract) uint64 {
	d := xxhash.New()
	w := func(s string) { d.WriteString(s); d.Write([]byte{0}) }
	var nb [9]byte
	f := func(p *float64) {
		if p == nil {
			d.Write([]byte{1})
			return
		}
		nb[0] = 2
		binary.LittleEndian.PutUint64(nb[1:], math.Float64bits(*p))
		d.Write(nb[:])
	}
	t := func(p *time.Time) {
		if p == nil {
			d.Write([]byte{1})
			return
		}
		nb[0] = 2
		binary.LittleEndian.PutUint64(nb[1:], uint64(p.Unix()))
		d.Write(nb[:])
	}
	b := func(p *bool) {
		switch {
		case p == nil:
			d.Write([]byte{1})
		case *p:
			d.Write([]byte{2})
		default:
			d.Write([]byte{3})
		}
	}
	hs := func(h []Holder) {
		for _, x := range h {
			w(x.Type)
			w(x.ID)
			w(x.Name)
		}
		d.Write([]byte{0xff})
	}
	w(c.Kind)
	w(c.SchemaVersion)
	w(c.UID)
	w(c.ID)
	w(c.Buyer.SIRET)
	w(c.Buyer.Name)
	w(c.Nature)
	w(c.Object)
	w(c.CPV)
	w(c.Procedure)
	w(c.Place.Code)
	w(c.Place.CodeType)
	w(c.Place.Name)
	f(c.InitialDurationMonths)
	f(c.InitialAmount)
	t(c.NotificationDate)
	t(c.PublicationDate)
	w(c.PriceForm)
	w(strings.Join(c.Techniques, "\x01"))
	w(strings.Join(c.Modalities, "\x01"))
	hs(c.InitialHolders)
	for i := range c.Modifications {
		m := &c.Modifications[i]
		w(m.ID)
		w(m.Object)
		t(m.SignatureDate)
		t(m.PublicationDate)
		f(m.Amount)
		f(m.DurationMonths)
		hs(m.Holders)
	}
	for i := range c.Subcontracts {
		s := &c.Subcontracts[i]
		w(s.ID)
		w(s.Subcontractor.ID)
		f(s.Amount)
		f(s.DurationMonths)
		t(s.NotificationDate)
	}
	w(strings.Join(c.Considerations.Social, "\x01"))
	w(strings.Join(c.Considerations.Environmental, "\x01"))
	b(c.Considerations.SocialClause)
	b(c.Considerations.EnvClause)
	return d.Sum64()
}

var ErrNotDECP = errors.New("not a DECP document")
