package fakebotmaker

import (
	"strconv"
)

// ---- /whatsapp/templates ---------------------------------------------------

// kTemplate salts the templates' values. The kinds of this streams
// are numbered apart from the iota list in data.go, so rows added in
// parallel cannot take the same number.
const kTemplate kind = 101

var templateLocales = []string{"es", "pt_BR", "en_US"}

// templateStates holds the states the response shows, two of which the
// state filter's enum (APPROVED, REJECTED) lacks, and one no enum has: a
// client that filters on state, or checks it against an enum, loses rows.
var templateStates = []string{"APPROVED", "APPROVED", "REJECTED", "ACCOUNT_PENDING", "BOTMAKER_PENDING", "PAUSED"}
var templateCategories = []string{"MARKETING", "UTILITY", "AUTHENTICATION", "SHIPPING_UPDATE"}

// templateKey is template i's (name, locale): each name comes in every
// locale, so a name alone is not a key.
func (g *gen) templateKey(i int) (string, string) {
	n := len(templateLocales)
	return pick(templates, uint64(i/n)) + "_" + strconv.Itoa(i/n+1), templateLocales[i%n]
}

func (g *gen) templateState(i int) string {
	return pick(templateStates, g.hash(kTemplate, i, 1))
}

func (g *gen) writeTemplate(w *jw, i int) {
	h := g.hash(kTemplate, i, 0)
	name, locale := g.templateKey(i)
	w.obj()
	w.kstr("name", name)
	w.kstr("state", g.templateState(i))
	w.kstr("category", pick(templateCategories, h))
	w.kstr("locale", locale)
	w.kstr("botName", pick(botNames, h>>4))
	if g.templateState(i) == "REJECTED" {
		w.key("notes")
		w.arr()
		w.obj()
		w.key("INVALID_FORMAT")
		w.obj()
		w.kstr("detail", "Variables can't be at the start or end of the template.")
		w.endObj()
		w.endObj()
		w.endArr()
	}
	w.key("phoneLinesNumbers")
	w.arr()
	for k := range g.channels {
		if c := &g.channels[k]; c.platform == "whatsapp" && (h>>8+uint64(k))%2 == 0 {
			w.str(c.number)
		}
	}
	w.endArr()
	// Half the templates carry the example image of their opt-in request.
	if h>>36%2 == 0 {
		w.kstr("optInImage", "https://storage.fake-botmaker.example/tpl/optin-"+name+".jpg")
	}
	w.key("header")
	w.obj()
	if h>>12%2 == 0 {
		w.kstr("format", "TEXT")
		w.kstr("text", "Hola {{1}}")
	} else {
		w.kstr("format", "IMAGE")
		w.kstr("exampleURL", "https://storage.fake-botmaker.example/tpl/"+name+".jpg")
	}
	w.endObj()
	w.key("body")
	w.obj()
	w.kstr("text", string(appendText(nil, h>>16, 80))+" {{1}}")
	w.endObj()
	if h>>20%3 != 0 {
		w.key("footer")
		w.obj()
		w.kstr("text", "Respondé STOP para no recibir más mensajes")
		w.endObj()
	}
	w.key("buttons")
	w.arr()
	w.obj()
	w.kstr("type", "QUICK_REPLY")
	w.kstr("text", "Sí")
	w.kstr("intentIdOrName", pick(topics, h>>24)+"_intent_1")
	w.endObj()
	w.endArr()
	w.kstr("requesterEmail", g.agentEmail(int(h>>28%uint64(max(g.n[kAgent], 1)))))
	w.kstrs("allowedQueues", queueIDs[:1+int(h>>32%3)]...)
	w.endObj()
}
