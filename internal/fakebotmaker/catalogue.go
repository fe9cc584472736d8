package fakebotmaker

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The catalogue endpoints list an account's configuration and contacts:
// generated items with no time filter, served in index order by one
// lister, filtered by the endpoint's own parameters. Each is a row of
// Endpoints whose list, ids and total come from its catalogue.

// The kinds of the catalogues added here are numbered apart from data.go's,
// so that kinds added there never take one of these (TestEndpointTable
// checks they differ).
const (
	kCampaign kind = 201 + iota
	kTypification
	kVariable
	kFieldDef
	kRole
	kWhatsAppAccount
)

// catalogue is an endpoint's generated items: id gives item i's id, write
// writes the item, and filter (nil for an endpoint without parameters)
// reads a request's parameters into the items it lists (nil keep: all).
type catalogue struct {
	name   string // the row's Name, for Quirks.Empty
	bare   bool   // the row's ItemsKey is "" (set at init from the row)
	k      kind
	id     func(g *gen, i int) string
	write  func(g *gen, w *jw, i int, id string)
	filter func(g *gen, q url.Values) (keep func(i int) bool, e *apiErr)
}

func byGenID(k kind) func(g *gen, i int) string {
	return func(g *gen, i int) string { return g.id(k, i) }
}

var (
	catCampaigns     = newCatalogue("campaigns", kCampaign, byGenID(kCampaign), writeCampaign, nil)
	catTypifications = newCatalogue("typifications", kTypification, byGenID(kTypification), writeTypification, nil)
	catVariables     = newCatalogue("variables", kVariable, byGenID(kVariable), writeVariable, nil)
	catFieldDefs     = newCatalogue("ticket_field_definitions", kFieldDef, byGenID(kFieldDef), writeFieldDef, nil)
	catRoles         = newCatalogue("roles", kRole, byGenID(kRole), writeRole, nil)
	catWhatsApp      = newCatalogue("whatsapp_accounts", kWhatsAppAccount, whatsAppNumber, writeWhatsAppAccount, nil)
	catContacts      = newCatalogue("contacts", kContact, byGenID(kContact), byIndex((*gen).writeContact), contactsFilter)
	catAgents        = newCatalogue("agents", kAgent, byGenID(kAgent), byIndex((*gen).writeAgent), agentsFilter)
	catChannels      = newCatalogue("channels", kChannel, func(g *gen, i int) string { return g.channels[i].id }, byIndex((*gen).writeChannel), channelsFilter)
	catIntents       = newCatalogue("intents", kIntent, byGenID(kIntent), byIndex((*gen).writeIntent), nil)
	catTemplates     = newCatalogue("whatsapp_templates", kTemplate, func(g *gen, i int) string { return JoinID(g.templateKey(i)) }, byIndex((*gen).writeTemplate), templatesFilter)
)

// byIndex adapts a writer that needs no id.
func byIndex(write func(g *gen, w *jw, i int)) func(*gen, *jw, int, string) {
	return func(g *gen, w *jw, i int, _ string) { write(g, w, i) }
}

// catalogues finds a catalogue by its row's name.
var catalogues = map[string]*catalogue{}

func newCatalogue(name string, k kind, id func(*gen, int) string, write func(*gen, *jw, int, string),
	filter func(*gen, url.Values) (func(int) bool, *apiErr)) *catalogue {
	c := &catalogue{name: name, k: k, id: id, write: write, filter: filter}
	catalogues[name] = c
	return c
}

// init reads each catalogue's envelope from its row, which must exist.
func init() {
	for name, c := range catalogues {
		e := endpointIndex[name]
		if e == nil {
			panic("fakebotmaker: catalogue " + name + " has no row in Endpoints")
		}
		c.bare = e.ItemsKey == ""
	}
}

// n is how many items the endpoint lists now.
func (c *catalogue) n(s *Server) int {
	if s.cfg.Quirks.Empty[c.name] {
		return 0
	}
	n := s.g.n[c.k]
	if s.cfg.Quirks.BareObject && c.bare {
		n = min(n, 1)
	}
	return n
}

func (c *catalogue) total(s *Server) int { return c.n(s) }

func (c *catalogue) ids(s *Server, _, _ int64) []string {
	out := make([]string, 0, c.n(s))
	for i := range c.n(s) {
		out = append(out, c.id(s.g, i))
	}
	return out
}

// list serves the row's envelope: ItemsKey "" is a bare body (a list, or
// with Quirks.BareObject one object); otherwise an object with the items
// under ItemsKey and, for a paged row, PageSize items a page and nextPage
// (null on the last page): a URL, or for NextToken the token itself.
func (c *catalogue) list(s *Server, ep *Endpoint, w *jw, r *http.Request, q url.Values) *apiErr {
	keep := func(int) bool { return true }
	if c.filter != nil {
		k, e := c.filter(s.g, q)
		if e != nil {
			return e
		}
		if k != nil {
			keep = k
		}
	}
	n := c.n(s)
	if ep.ItemsKey == "" {
		if s.cfg.Quirks.BareObject && n > 0 {
			c.write(s.g, w, 0, c.id(s.g, 0))
			return nil
		}
		w.arr()
		for i := range n {
			c.write(s.g, w, i, c.id(s.g, i))
		}
		w.endArr()
		return nil
	}
	// off counts the matching items earlier pages served.
	off := 0
	param := pageParam
	if ep.Paging == NextToken {
		param = ep.TokenParam
	}
	if tok := q.Get(param); tok != "" && ep.Paging != SinglePage {
		cur, e := decodeCursor(tok, ep.tokenKind, param)
		if e != nil {
			return e
		}
		if cur.b != s.tokenEpoch.Load() {
			return expiredToken(param)
		}
		off = int(cur.a)
	}
	w.obj()
	w.key(ep.ItemsKey)
	w.arr()
	seen, count, next := 0, 0, -1
	for i := range n {
		switch {
		case !keep(i):
		case seen < off:
			seen++
		case ep.Paging != SinglePage && count == ep.PageSize:
			next = off + count
		default:
			c.write(s.g, w, i, c.id(s.g, i))
			count++
		}
		if next >= 0 {
			break
		}
	}
	w.endArr()
	if ep.Paging != SinglePage {
		w.key("nextPage")
		tok := cursor{kind: ep.tokenKind, a: int64(next), b: s.tokenEpoch.Load()}
		switch {
		case next < 0:
			w.null()
		case ep.Paging == NextToken && s.cfg.Quirks.Reported.ContactsNextURL && c == catContacts:
			w.str(contactsNext(ep, r, q, tok.encode()))
		case ep.Paging == NextToken:
			w.str(tok.encode())
		default:
			w.str(nextURL(r, q, tok))
		}
	}
	w.endObj()
	return nil
}

// ---- filters -----------------------------------------------------------------

func contactsFilter(g *gen, q url.Values) (func(int) bool, *apiErr) {
	channelID, platform := q.Get("channel-id"), q.Get("platform")
	if channelID != "" && platform != "" {
		return nil, badParam("platform", "Invalid parameters: 'channel-id' and 'platform' are mutually exclusive")
	}
	if platform != "" && !knownPlatforms[platform] {
		return nil, badParam("platform", "Invalid platform.")
	}
	if channelID != "" && g.channelByID(channelID) == nil {
		return nil, badParam("channel-id", "Invalid channel id.")
	}
	bsuid, e := parseBool(q, "has-whastapp-bsuid")
	if e != nil {
		return nil, e
	}
	return func(k int) bool {
		if bsuid && !g.contactHasBsuid(k) {
			return false
		}
		if channelID == "" && platform == "" {
			return true
		}
		for j := k; j < g.n[kChat]; j += g.n[kContact] {
			ch := g.chatChannel(j)
			if ch.id == channelID || ch.platform == platform || (platform == "instagram_chat" && ch.platform == "instagram") {
				return true
			}
		}
		return false
	}, nil
}

func agentsFilter(g *gen, q url.Values) (func(int) bool, *apiErr) {
	online, e := parseBool(q, "online")
	if e != nil {
		return nil, e
	}
	hasOnline := q.Get("online") != ""
	var emails map[string]bool
	for _, v := range q["emails"] {
		for _, em := range strings.Split(v, ",") {
			if em = strings.TrimSpace(em); em != "" {
				if emails == nil {
					emails = map[string]bool{}
				}
				emails[strings.ToLower(em)] = true
			}
		}
	}
	return func(a int) bool {
		return (!hasOnline || g.agentOnline(a) == online) && (emails == nil || emails[g.agentEmail(a)])
	}, nil
}

func channelsFilter(g *gen, q url.Values) (func(int) bool, *apiErr) {
	platform := q.Get("platform")
	if platform != "" && !knownPlatforms[platform] {
		return nil, badParam("platform", "Invalid platform.")
	}
	active, e := parseBool(q, "active")
	if e != nil {
		return nil, e
	}
	hasActive := q.Get("active") != ""
	return func(k int) bool {
		c := &g.channels[k]
		if platform != "" && c.platform != platform && !(platform == "instagram_chat" && c.platform == "instagram") {
			return false
		}
		return !hasActive || c.active == active
	}, nil
}

// templatesFilter takes the state filter, whose enum lacks states the
// items hold.
func templatesFilter(g *gen, q url.Values) (func(int) bool, *apiErr) {
	state := q.Get("state")
	if state != "" && state != "APPROVED" && state != "REJECTED" {
		return nil, badParam("state", "'state' must be APPROVED or REJECTED")
	}
	return func(i int) bool { return state == "" || g.templateState(i) == state }, nil
}

// ---- items -------------------------------------------------------------------

var campaignNames = []string{"Black Friday", "Recordatorio de pago", "Bienvenida \"VIP\"", "Encuesta NPS", "Reactivación", "Lanzamiento 🚀"}
var campaignGoals = []string{"sales", "retention", "engagement", "collections", "support"}

func writeCampaign(g *gen, w *jw, i int, id string) {
	h := g.hash(kCampaign, i, 0)
	w.obj()
	w.kstr("id", id)
	w.kstr("name", pick(campaignNames, h)+" "+strconv.Itoa(i+1))
	switch h >> 8 % 10 {
	case 0:
		w.knull("goal")
	case 1:
	default:
		w.kstr("goal", pick(campaignGoals, h>>12))
	}
	w.kbool("active", h>>16%3 != 0)
	w.endObj()
}

var typificationNames = []string{"Consulta resuelta", "Reclamo", "Venta concretada", "Derivado a \"Nivel 2\"", "Spam", "Sin respuesta"}
var agentGroups = []string{"equipo-a", "equipo-b", "nocturno", "supervisores"}

func writeTypification(g *gen, w *jw, i int, id string) {
	h := g.hash(kTypification, i, 0)
	w.obj()
	w.kstr("id", id)
	w.kstr("displayName", pick(typificationNames, h)+" "+strconv.Itoa(i+1))
	w.key("groups")
	w.arr()
	for t := range int(h >> 8 % 3) {
		w.str(agentGroups[(int(h>>12)+t)%len(agentGroups)])
	}
	w.endArr()
	if h>>16%6 != 0 {
		w.key("queues")
		w.arr()
		for t := range int(h>>20%3) + 1 {
			w.str(queueIDs[(int(h>>24)+t)%len(queueIDs)])
		}
		w.endArr()
	}
	w.endObj()
}

var variableTypes = []string{"string", "number", "boolean", "date", "list", "tag"}
var variableIcons = []string{"star", "user", "cart", "flag"}
var tagColors = []string{"#FF5733", "#33C1FF", "#2ECC71", "#9B59B6"}

func writeVariable(g *gen, w *jw, i int, id string) {
	h := g.hash(kVariable, i, 0)
	typ := pick(variableTypes, h)
	w.obj()
	w.kstr("id", id)
	if typ == "tag" {
		w.kstr("name", pick(tagsPool, h>>4)+"-"+strconv.Itoa(i+1))
	} else {
		w.kstr("name", pick(variableSets, h>>4)[0]+strconv.Itoa(i+1))
	}
	w.kstr("type", typ)
	w.kstr("scope", pick([]string{"user", "session"}, h>>8))
	visible := h>>12%2 == 0
	w.kbool("visibleInUserInfo", visible)
	if visible {
		w.kstr("category", pick([]string{"Datos personales", "Compras", "Soporte"}, h>>16))
		w.kstr("icon", pick(variableIcons, h>>20))
		// A position, sent as a string as the SPEC types it.
		w.kstr("orderInUserInfo", strconv.Itoa(int(h>>24%20)))
	}
	if typ == "tag" {
		w.kstr("tagColor", pick(tagColors, h>>28))
	}
	w.endObj()
}

var fieldTypes = []string{"text", "select", "number", "date", "checkbox"}
var fieldNames = []string{"Prioridad", "Producto", "Nº de pedido", "Fecha de compra", "Requiere \"visita\"", "Motivo"}

func writeFieldDef(g *gen, w *jw, i int, id string) {
	h := g.hash(kFieldDef, i, 0)
	typ := pick(fieldTypes, h)
	w.obj()
	w.kstr("id", id)
	w.kbool("active", h>>8%5 != 0)
	w.kstr("name", pick(fieldNames, h>>12)+" "+strconv.Itoa(i+1))
	w.kstr("type", typ)
	if typ == "select" {
		w.key("validOptions")
		w.arr()
		for o, v := range []string{"alta", "media", "baja"}[:2+int(h>>16%2)] {
			w.obj()
			w.kstr("value", v)
			w.kstr("label", strconv.Itoa(o+1)+". "+v)
			w.endObj()
		}
		w.endArr()
	}
	w.endObj()
}

var roleNames = []string{"Agente", "Supervisor", "Ventas", "Soporte N2", "Auditor \"externo\""}

func writeRole(g *gen, w *jw, i int, id string) {
	h := g.hash(kRole, i, 0)
	w.obj()
	w.kstr("id", id)
	w.kstr("name", pick(roleNames, h)+" "+strconv.Itoa(i+1))
	if h>>8%4 != 0 {
		w.kstr("description", "Rol para "+pick(queueIDs, h>>10))
	}
	w.key("queues")
	w.arr()
	for t := range int(h >> 14 % 3) {
		w.str(queueIDs[(int(h>>16)+t)%len(queueIDs)])
	}
	w.endArr()
	w.kstr("priority", pick(priorities, h>>20)) // the SPEC's enum, normal twice as often
	w.kint("slots", int64(h>>24%31))
	w.key("permissions")
	w.obj()
	w.kbool("home", true)
	w.key("chats")
	w.obj()
	w.kbool("view", true)
	w.kbool("sendChat", h>>30%2 == 0)
	w.kbool("AssignToAgent", h>>31%2 == 0)
	w.endObj()
	w.kbool("metrics", h>>32%2 == 0)
	w.key("tickets")
	w.obj()
	w.kbool("create", h>>33%2 == 0)
	w.kbool("changeState", h>>34%2 == 0)
	w.endObj()
	w.kbool("AIAssistant", h>>35%2 == 0)
	w.endObj()
	w.endObj()
}

// whatsAppNumber is line i's phone number: the key of its item, so unique
// (7919 is prime to 9·10^6).
func whatsAppNumber(g *gen, i int) string {
	return "549114" + strconv.FormatInt(1_000_000+(int64(i)*7919+int64(g.seed%1000))%9_000_000, 10)
}

var lineAliases = []string{"Ventas", "Soporte", "Cobranzas", "Línea \"principal\""}

func writeWhatsAppAccount(g *gen, w *jw, i int, number string) {
	h := g.hash(kWhatsAppAccount, i, 0)
	w.obj()
	w.kstr("number", number)
	if h%5 != 0 {
		w.kstr("alias", pick(lineAliases, h>>4))
	}
	w.key("templateNamespace")
	w.openStr()
	w.b = appendHex(w.b, h>>8, 11)
	w.b = append(w.b, '_')
	w.b = appendHex(w.b, h>>20, 8)
	w.closeStr()
	w.key("wabaId")
	w.openStr()
	w.b = appendDigits(w.b, h>>12, 16)
	w.closeStr()
	w.endObj()
}

// Emptiable reports whether Quirks.Empty can empty the named endpoint.
func Emptiable(name string) bool {
	_, ok := catalogues[name]
	return ok
}
