package fakebotmaker

import (
	"strconv"
)

// The items of every endpoint, as the endpoints write them. The windowed
// ones are sequences (sequence.go); functions taking a seq must be called
// with s.mu held (read or write).

// ---- messages --------------------------------------------------------------

type msgMeta struct {
	t, sessStart int64
	chat         int32
}

// msgMeta: base message i belongs to base session floor(i*S/N), whose start
// is never after the message (see baseTime).
func (s *Server) msgMeta(seq int) msgMeta {
	g := s.g
	N, S := g.n[kMsg], g.n[kSess]
	if seq >= N {
		a := s.addedItem(kMsg, seq)
		return msgMeta{a.t, a.sessStart, a.chat}
	}
	j := int(int64(seq) * int64(S) / int64(N))
	return msgMeta{g.baseTime(seq, N), g.baseTime(j, S), int32(g.sessChat(j))}
}

func (g *gen) msgFrom(h uint64) string {
	switch r := h % 100; {
	case r < 45:
		return "user"
	case r < 85:
		return "bot"
	default:
		return "agent"
	}
}

// writeMessage writes a MessageResponse (session=false) or a
// SessionMessageResponse (session=true, without chat/sessionCreationTime).
func (s *Server) writeMessage(w *jw, seq int, m msgMeta, session bool) {
	g := s.g
	h := g.hash(kMsg, seq, 0)
	large := g.largeEvery > 0 && (seq+1)%g.largeEvery == 0
	w.obj()
	w.key("id")
	w.openStr()
	w.b = g.appendID(w.b, kMsg, seq)
	w.closeStr()
	w.ktime("creationTime", m.t)
	from := g.msgFrom(h)
	w.kstr("from", from)
	if from == "agent" {
		w.key("agentId")
		w.openStr()
		w.b = g.appendAgentID(w.b, int(h>>20%uint64(g.n[kAgent])))
		w.closeStr()
	}
	switch {
	case from == "agent" || h>>24%5 == 0:
		w.kstr("queueId", pick(queueIDs, h>>28))
	case h>>24%5 == 1:
		w.knull("queueId")
	}
	w.key("content")
	g.writeContent(w, h, large, from)
	switch h >> 36 % 25 {
	case 0, 1:
		w.key("encryptionParams")
		w.obj()
		w.kstr("version", "1")
		w.key("configId")
		w.openStr()
		w.b = appendHex(w.b, h>>3, 8)
		w.closeStr()
		w.key("timestamp")
		w.openStr()
		w.b = strconv.AppendInt(w.b, m.t*1000, 10)
		w.closeStr()
		w.key("encryptedKey")
		w.openStr()
		w.b = appendHex(w.b, mix64(h), 32)
		w.b = append(w.b, "=="...)
		w.closeStr()
		w.endObj()
	case 2:
		w.knull("encryptionParams")
	}
	if !session {
		w.ktime("sessionCreationTime", m.sessStart)
		w.key("chat")
		g.chatRef(w, int(m.chat))
	}
	w.key("sessionId")
	w.openStr()
	w.b = g.appendID(w.b, kChat, int(m.chat))
	w.b = append(w.b, '_')
	w.b = appendTime(w.b, m.sessStart)
	w.closeStr()
	w.endObj()
}

var buttonSets = [][]string{{"Sí", "No"}, {"Ver pedido", "Hablar con un agente", "Salir"}, {"Opción \"A\"", "Opción B"}}
var templates = []string{"order_update_v2", "bienvenida", "recordatorio_pago", "encuesta_nps"}
var mediaExt = map[string]string{"image": ".jpg", "audio": ".ogg", "file": ".pdf", "video": ".mp4"}

func (g *gen) writeContent(w *jw, h uint64, large bool, from string) {
	w.obj()
	typ := "text"
	r := h >> 32 % 100
	if !large {
		switch {
		case r < 62:
		case r < 68:
			typ = "image"
		case r < 72:
			typ = "audio"
		case r < 75:
			typ = "file"
		case r < 77:
			typ = "video"
		case r < 84:
			typ = "buttons"
		case r < 86:
			typ = "carousel"
		case r < 92:
			typ = "button-click"
		case r < 95:
			typ = "call"
		}
	}
	w.kstr("type", typ)
	text := func(salt uint64, target int) {
		w.scratch = appendText(w.scratch[:0], mix64(h+salt), target)
		w.strBytes(w.scratch)
	}
	switch typ {
	case "text":
		w.key("text")
		if large {
			text(1, 10_000)
		} else {
			text(1, 100+int(h>>44%200))
		}
		if h>>52%20 == 0 {
			w.key("originalText")
			text(2, 60)
		}
		if from == "bot" && h>>56%8 == 0 {
			w.kstr("whatsAppTemplateName", pick(templates, h>>9))
		}
		if r >= 95 {
			w.key("location")
			w.obj()
			w.kstr("latitude", "-34.6037")
			w.kstr("longitude", "-58.3816")
			w.kstr("name", "Obelisco")
			w.kstr("address", "Av. 9 de Julio s/n, C1043 CABA, Argentina")
			w.endObj()
		}
	case "image", "audio", "file", "video":
		w.key("media")
		w.obj()
		if h>>44%3 != 0 {
			w.key("caption")
			text(3, 40)
		}
		w.key("url")
		w.openStr()
		w.b = append(w.b, "https://storage.googleapis.com/m.botmaker.com/fake/"...)
		w.b = appendHex(w.b, h, 24)
		w.b = append(w.b, mediaExt[typ]...)
		w.closeStr()
		w.endObj()
		if typ == "audio" {
			w.key("originalAudioUrl")
			w.openStr()
			w.b = append(w.b, "https://storage.googleapis.com/m.botmaker.com/fake/orig-"...)
			w.b = appendHex(w.b, h, 24)
			w.b = append(w.b, ".ogg"...)
			w.closeStr()
			w.key("text")
			text(4, 50)
		}
	case "buttons":
		w.key("text")
		text(5, 60)
		w.kstrs("buttons", pick(buttonSets, h>>44)...)
	case "carousel":
		w.kstrs("carouselItems", "Plan Básico — $9.99", "Plan Pro — $19.99", "Plan \"Enterprise\"")
	case "button-click":
		w.kstr("selectedButton", pick(pick(buttonSets, h>>44), h>>50))
	case "call":
		w.key("call")
		w.obj()
		w.kstr("event", pick([]string{"user-joined", "agent-joined", "user-left", "agent-left", "recording", "room-destroyed"}, h>>44))
		w.endObj()
	}
	w.endObj()
}

// ---- chats -----------------------------------------------------------------

var variableSets = [][2]string{
	{"plan", "premium"},
	{"idioma", "español"},
	{"nota", "dijo \"urgente\"\nllamar </script> después"},
	{"ultimoPedido", "A-10293"},
	{"cédula", "12.345.678-9"},
	{"payload", "{\"a\":1,\"b\":[true,null]}"},
	{"vacía", ""},
}

// writeChat writes a ChatWithMessagesResponse (base != "": with
// listMessagesURL) or a ChatResponse (base == ""). Variables are written
// when vars is true.
func (s *Server) writeChat(w *jw, j int, base string, vars bool) {
	g := s.g
	h := g.hash(kChat, j, 3)
	last := s.chatLast[j]
	ch := g.chatChannel(j)
	w.obj()
	w.key("chat")
	g.chatRef(w, j)
	created := g.baseTime(j, g.n[kChat]) - int64(h%(800*daySec)) - 60
	w.ktime("creationTime", created)
	w.ktime("lastSessionCreationTime", max(created, last-int64(h>>10%3600)))
	switch h >> 20 % 10 {
	case 0, 1, 2:
		w.key("externalId")
		w.openStr()
		w.b = appendDigits(append(w.b, "crm-"...), h>>5, 8)
		w.closeStr()
	case 3:
		w.knull("externalId")
	}
	w.kstr("firstName", pick(firstNames, h>>24))
	if h>>28%10 != 0 {
		w.kstr("lastName", pick(lastNames, h>>32))
	}
	w.kstr("country", pick(countries, h>>36))
	switch h >> 40 % 20 {
	case 0, 1, 2:
		w.knull("email")
	case 3, 4, 5, 6, 7:
	default:
		w.key("email")
		w.openStr()
		w.b = append(w.b, "user"...)
		w.b = strconv.AppendInt(w.b, int64(j), 10)
		w.b = append(w.b, "@example.com"...)
		w.closeStr()
	}
	if ch.platform == "whatsapp" {
		w.ktime("whatsAppWindowCloseDatetime", last+daySec)
	}
	if vars {
		w.key("variables")
		w.obj()
		nv := int(h >> 44 % 5)
		for v := 0; v < nv; v++ {
			kv := variableSets[(int(h>>48)+v)%len(variableSets)]
			w.kstr(kv[0], kv[1])
		}
		w.endObj()
	}
	w.key("tags")
	w.arr()
	for t := 0; t < int(h>>50%4); t++ {
		w.str(tagsPool[(int(h>>53)+t)%len(tagsPool)])
	}
	w.endArr()
	if h>>56%2 == 0 {
		w.kstr("queueId", pick(queueIDs, h>>57))
	}
	if h>>58%5 < 2 {
		w.key("agentId")
		w.openStr()
		w.b = g.appendAgentID(w.b, int(h>>8%uint64(g.n[kAgent])))
		w.closeStr()
	}
	switch h >> 59 % 16 {
	case 0:
		w.key("onHoldAgentId")
		w.openStr()
		w.b = g.appendAgentID(w.b, int(h>>12%uint64(g.n[kAgent])))
		w.closeStr()
	case 1, 2, 3:
		w.knull("onHoldAgentId")
	}
	w.ktime("lastUserMessageDatetime", last)
	if base != "" {
		w.key("listMessagesURL")
		w.openStr()
		w.b = append(w.b, base...)
		w.b = append(w.b, "/messages?chat-id="...)
		w.b = g.appendID(w.b, kChat, j)
		w.closeStr()
	}
	h2 := g.hash(kChat, j, 4)
	w.kbool("isBanned", h2%50 == 0)
	w.kbool("isTester", h2>>8%20 == 0)
	w.kbool("isBotMuted", h2>>16%10 == 0)
	w.endObj()
}

// ---- sessions --------------------------------------------------------------

type sessMeta struct {
	t    int64
	chat int32
	open bool
	base bool
	gone bool // in neither the open nor the finished listing (Quirks.OpenSessions)
}

// sessSeq is the sessions as a sequence (Endpoint.seq): open ones have no
// id, since /sessions lists them only on demand.
func (s *Server) sessSeq() (int, func(int) int64, func(int) string) {
	return s.count(kSess), s.timeOf(kSess), func(seq int) string {
		if m := s.sessMeta(seq); !m.open && !m.gone {
			return string(s.appendSessionID(nil, m))
		}
		return ""
	}
}

func (s *Server) sessMeta(seq int) sessMeta {
	g := s.g
	if S := g.n[kSess]; seq >= S {
		a := s.addedItem(kSess, seq)
		return sessMeta{t: a.t, chat: a.chat}
	}
	m := sessMeta{t: g.baseTime(seq, g.n[kSess]), chat: int32(g.sessChat(seq)), base: true}
	m.open = s.baseSessOpen(seq) && !s.sessFinished[int32(seq)]
	if _, ok := s.chosenOpen[int32(seq)]; ok && m.open {
		m.open, m.gone = s.openNow(seq, m.t)
	}
	return m
}

func (s *Server) appendSessionID(b []byte, m sessMeta) []byte {
	b = s.g.appendID(b, kChat, int(m.chat))
	b = append(b, '_')
	return appendTime(b, m.t)
}

var startingCauses = []string{"user-message", "whatsapp-notification", "agent-message", "api", "bot"}
var typifications = []string{"Resuelto", "Derivado a ventas", "Sin respuesta", "Spam", "Reclamo \"grave\""}

func (s *Server) writeSession(w *jw, seq int, m sessMeta, inc includes) {
	g := s.g
	h := g.hash(kSess, seq, 0)
	w.obj()
	w.key("id")
	w.openStr()
	w.b = s.appendSessionID(w.b, m)
	w.closeStr()
	w.ktime("creationTime", m.t)
	w.kstr("startingCause", pick(startingCauses, h))
	w.key("chat")
	s.writeChat(w, int(m.chat), "", inc.variables)
	sessID := func() {
		w.key("sessionId")
		w.openStr()
		w.b = s.appendSessionID(w.b, m)
		w.closeStr()
	}
	if inc.messages {
		w.key("messages")
		w.arr()
		if m.base {
			N, S := int64(g.n[kMsg]), int64(g.n[kSess])
			first := int((int64(seq)*N + S - 1) / S)
			last := int((int64(seq+1)*N + S - 1) / S)
			last = min(last, first+maxSessionMessages)
			for i := first; i < last; i++ {
				s.writeMessage(w, i, s.msgMeta(i), true)
			}
		} else {
			// Added sessions get three synthetic messages with their own ids.
			for k := 0; k < 3; k++ {
				idx := (seq-g.n[kSess])*4 + k
				hm := g.hash(kSessMsg, idx, 0)
				w.obj()
				w.key("id")
				w.openStr()
				w.b = g.appendID(w.b, kSessMsg, idx)
				w.closeStr()
				w.ktime("creationTime", m.t+int64(k)*20)
				from := []string{"user", "bot", "user"}[k]
				w.kstr("from", from)
				w.key("content")
				g.writeContent(w, hm, false, from)
				sessID()
				w.endObj()
			}
		}
		w.endArr()
	}
	if inc.events {
		w.key("events")
		w.arr()
		ne := 1 + int(h>>8%4)
		for k := 0; k < ne; k++ {
			s.writeEvent(w, h, k, m.t+int64(k)*45+5, sessID)
		}
		if !m.open {
			s.writeEvent(w, h, -1, m.t+int64(ne)*45+300, sessID)
		}
		w.endArr()
	}
	if inc.ai {
		w.key("aiAnalysis")
		if m.open || h>>16%5 == 0 {
			w.null()
		} else {
			w.obj()
			w.key("summary")
			w.scratch = appendText(w.scratch[:0], mix64(h+11), 120)
			w.strBytes(w.scratch)
			w.kbool("doesNotMeetCriteria", h>>20%7 == 0)
			w.kstr("name", "Calidad de atención")
			w.kstr("justification", "El agente resolvió la consulta; tono \"cordial\".\nSin demoras.")
			w.key("aspectScores")
			w.obj()
			for i, k := range []string{"conciseness", "clarity", "empathyTone", "understanding", "resolution"} {
				w.kint(k, int64(h>>(24+4*i)%6))
			}
			w.endObj()
			w.kint("qualityScore", int64(h>>48%101))
			w.endObj()
		}
	}
	w.endObj()
}

var eventNames = []string{"find-intent", "set-variable", "queue-set", "assigned-to-agent", "notification-delivered", "url-click", "go-to", "user-note"}

// writeEvent writes event k of a session (k < 0: the conversation-close).
func (s *Server) writeEvent(w *jw, sh uint64, k int, t int64, sessID func()) {
	g := s.g
	h := mix64(sh + uint64(k+2)*0x9e37)
	name := "conversation-close"
	if k >= 0 {
		name = pick(eventNames, h)
	}
	agent := int(h >> 8 % uint64(g.n[kAgent]))
	w.obj()
	w.kstr("name", name)
	w.ktime("creationTime", t)
	w.key("info")
	w.obj()
	agentFields := func() {
		w.key("agentId")
		w.openStr()
		w.b = g.appendAgentID(w.b, agent)
		w.closeStr()
		w.kstr("agentName", g.agentName(agent))
	}
	switch name {
	case "conversation-close":
		w.kstr("typification", pick(typifications, h>>16))
		agentFields()
		w.kstr("agentEmail", g.agentEmail(agent))
	case "find-intent", "go-to":
		w.key("intentId")
		w.openStr()
		w.b = g.appendID(w.b, kIntent, int(h>>16%uint64(g.n[kIntent])))
		w.closeStr()
	case "set-variable":
		kv := pick(variableSets, h>>16)
		w.kstr("variableName", kv[0])
		w.kstr("variableValue", kv[1])
		w.knull("previousVariableValue")
	case "queue-set":
		w.kstr("queue", pick(queueIDs, h>>16))
	case "assigned-to-agent":
		w.kstr("explain", "Asignado por disponibilidad")
		w.kstr("assignedByAgent", "Sistema")
		agentFields()
	case "notification-delivered":
		w.key("messageId")
		w.openStr()
		w.b = appendHex(w.b, h, 20)
		w.closeStr()
		w.kstr("whatsappTemplate", pick(templates, h>>16))
	case "url-click":
		w.kstr("url", "https://example.com/promo?utm_source=bot&x=\"1\"")
	case "user-note":
		w.kstr("operatorId", "op-1")
		w.kstr("operatorName", "Operadora Núñez")
		w.kstr("value", "Cliente pide factura A.\nLlamar mañana.")
	}
	w.kstr("executingIntents", "bienvenida,menu_principal")
	w.endObj()
	sessID()
	w.endObj()
}

// ---- calls -----------------------------------------------------------------

func (s *Server) callMeta(seq int) (int64, int) {
	if K := s.g.n[kCall]; seq >= K {
		a := s.addedItem(kCall, seq)
		return a.t, int(a.chat)
	}
	return s.g.baseTime(seq, s.g.n[kCall]), int(s.g.hash(kCall, seq, 1) % uint64(s.g.n[kChat]))
}

func (s *Server) writeCall(w *jw, seq int) {
	g := s.g
	t, chat := s.callMeta(seq)
	h := g.hash(kCall, seq, 0)
	agent := int(h >> 4 % uint64(g.n[kAgent]))
	w.obj()
	w.key("id")
	w.openStr()
	w.b = g.appendID(w.b, kCall, seq)
	w.closeStr()
	w.key("chat")
	g.chatRef(w, chat)
	if h>>12%5 != 0 {
		w.key("agentId")
		w.openStr()
		w.b = g.appendAgentID(w.b, agent)
		w.closeStr()
	}
	w.ktime("creationDatetime", t)
	missed := h>>16%10 == 0
	start := t + int64(h>>20%30)
	end := start + 30 + int64(h>>24%1800)
	if !missed {
		w.ktime("startDatetime", start)
		w.ktime("endDatetime", end)
	}
	switch {
	case missed:
	case h>>32%10 < 7:
		w.key("recording")
		w.obj()
		w.key("id")
		w.openStr()
		w.b = g.appendID(w.b, kRecording, seq)
		w.closeStr()
		w.key("url")
		w.openStr()
		w.b = append(w.b, "https://api.botmaker.com/v2.0/calls/recordings/"...)
		w.b = g.appendID(w.b, kRecording, seq)
		w.closeStr()
		w.endObj()
	case h>>32%10 == 7:
		w.knull("recording")
	}
	if h>>36%4 == 0 {
		w.kstr("type", "video")
	} else {
		w.kstr("type", "audio")
	}
	w.key("participants")
	w.arr()
	np := 1 + int(h>>40%3)
	if missed {
		np = 1
	}
	for p := 0; p < np; p++ {
		w.obj()
		if p == 0 {
			w.key("participantId")
			w.openStr()
			w.b = g.appendContactID(append(w.b, "user:"...), chat)
			w.closeStr()
			w.kstr("initiatedByType", "USER")
		} else {
			w.key("participantId")
			w.openStr()
			w.b = g.appendAgentID(w.b, (agent+p-1)%g.n[kAgent])
			w.closeStr()
			w.kstr("initiatedByType", "AGENT")
			w.ktime("assignedTs", start)
			w.kstr("supportTeamId", pick(queueIDs, h>>(44+uint(p))))
		}
		if !missed {
			w.ktime("joinedDatetime", start+int64(p)*10)
			w.ktime("leftDatetime", end)
		}
		w.endObj()
	}
	w.endArr()
	w.endObj()
}

// ---- contacts --------------------------------------------------------------

func (g *gen) contactHasBsuid(k int) bool {
	h := g.hash(kContact, k, 0)
	return h>>60%2 == 0 && g.chatChannel(k%max(1, g.n[kChat])).platform == "whatsapp"
}

func (g *gen) channelByID(id string) *channel {
	for k := range g.channels {
		if g.channels[k].id == id {
			return &g.channels[k]
		}
	}
	return nil
}

var jobTitles = []string{"Gerente de Compras", "CTO", "Analista \"Sr.\"", "Dueña"}
var labels = []string{"mobile", "work", "home", "other"}

func (g *gen) writeContact(w *jw, k int) {
	h := g.hash(kContact, k, 0)
	w.obj()
	w.key("id")
	w.openStr()
	w.b = g.appendID(w.b, kContact, k)
	w.closeStr()
	w.kstr("firstName", pick(firstNames, h))
	if h>>4%8 != 0 {
		w.kstr("lastName", pick(lastNames, h>>8))
	}
	if h>>12%5 < 2 {
		w.key("birthday")
		w.openStr()
		w.b = append4(w.b, 1950+int(h>>14%55))
		w.b = append(w.b, '-')
		w.b = append2(w.b, 1+int(h>>20%12))
		w.b = append(w.b, '-')
		w.b = append2(w.b, 1+int(h>>24%28))
		w.closeStr()
	}
	if h>>28%2 == 0 {
		w.key("pictureUrl")
		w.openStr()
		w.b = append(w.b, "https://storage.googleapis.com/m.botmaker.com/fake/avatar-"...)
		w.b = appendHex(w.b, h, 16)
		w.b = append(w.b, ".png"...)
		w.closeStr()
	}
	w.kstr("language", pick(languages, h>>30))
	w.kstr("country", pick(countries, h>>33))
	switch h >> 37 % 10 {
	case 0, 1, 2:
		w.key("companyId")
		w.openStr()
		w.b = appendDigits(w.b, h>>7, 9)
		w.closeStr()
		w.kstr("jobTitle", pick(jobTitles, h>>41))
	case 3:
		w.knull("companyId")
	}
	field := func(key string, n int, val func(i int)) {
		w.key(key)
		w.arr()
		for i := 0; i < n; i++ {
			w.obj()
			w.key("value")
			val(i)
			w.kstr("label", labels[(int(h>>43)+i)%len(labels)])
			w.endObj()
		}
		w.endArr()
	}
	field("phoneNumbers", 1+int(h>>45%2), func(i int) {
		w.openStr()
		w.b = appendDigits(append(w.b, '+', '5', '4', '9'), mix64(h+uint64(i)), 10)
		w.closeStr()
	})
	field("emails", int(h>>47%3), func(i int) {
		w.openStr()
		w.b = append(w.b, "contact"...)
		w.b = strconv.AppendInt(w.b, int64(k), 10)
		w.b = append(w.b, '.')
		w.b = strconv.AppendInt(w.b, int64(i), 10)
		w.b = append(w.b, "@example.org"...)
		w.closeStr()
	})
	field("addresses", int(h>>49%4/3), func(int) { w.str("Av. Corrientes 1234, Piso 5° \"B\"\nCABA") })
	field("websites", int(h>>51%5/4), func(int) { w.str("https://example.org/~user?a=1&b=2") })
	ids := func(key, prefix string, n int) {
		w.key(key)
		w.arr()
		for i := 0; i < n; i++ {
			w.openStr()
			w.b = append(w.b, prefix...)
			w.b = appendDigits(w.b, mix64(h^uint64(i+len(key))), 12)
			w.closeStr()
		}
		w.endArr()
	}
	ids("instagramIds", "", int(h>>53%3/2))
	ids("facebookIds", "", int(h>>54%3/2))
	ids("twitterIds", "@user", int(h>>55%4/3))
	w.key("notes")
	w.arr()
	if h>>56%3 == 0 {
		w.str("Prefiere ser contactado por la tarde.\nNo llamar los domingos \"nunca\" </script>")
	}
	w.endArr()
	w.key("chats")
	w.arr()
	for j := k; j < g.n[kChat]; j += g.n[kContact] {
		hc := g.hash(kChat, j, 5)
		w.obj()
		w.key("id")
		w.openStr()
		w.b = g.appendID(w.b, kChat, j)
		w.closeStr()
		w.key("platformContactId")
		w.openStr()
		w.b = g.appendContactID(w.b, j)
		w.closeStr()
		w.kstr("chatChannelId", g.chatChannel(j).id)
		if g.chatChannel(j).platform == "whatsapp" && hc%2 == 0 {
			w.key("bsuid")
			w.openStr()
			w.b = appendDigits(append(w.b, "AR."...), hc, 19)
			w.closeStr()
		}
		w.endObj()
	}
	w.endArr()
	w.key("whatsappBsuids")
	w.arr()
	if g.contactHasBsuid(k) {
		w.openStr()
		w.b = appendDigits(append(w.b, "AR."...), h>>3, 19)
		w.closeStr()
	}
	w.endArr()
	w.endObj()
}

// ---- agents, channels, intents ---------------------------------------------

func (g *gen) agentName(a int) string {
	h := g.hash(kAgent, a, 1)
	return pick(firstNames, h) + " " + pick(lastNames, h>>8)
}

func (g *gen) agentEmail(a int) string { return "agent" + strconv.Itoa(a+1) + "@fake-botmaker.example" }

func (g *gen) agentOnline(a int) bool { return g.hash(kAgent, a, 0)%3 == 0 }

var roles = []string{"ADMIN", "CONFIGURATOR", "SUPERVISOR", "OPERATOR", "OPERATOR", "OPERATOR", "Supervisor Nocturno"}
var priorities = []string{"never", "low", "normal", "normal", "high"}

func (g *gen) writeAgent(w *jw, a int) {
	h := g.hash(kAgent, a, 0)
	w.obj()
	w.key("id")
	w.openStr()
	w.b = g.appendAgentID(w.b, a)
	w.closeStr()
	w.kstr("email", g.agentEmail(a))
	w.kstr("name", g.agentName(a))
	if h>>4%10 < 7 {
		w.kstr("alias", "Agente "+pick(firstNames, h>>8))
	}
	online := g.agentOnline(a)
	w.kbool("isOnline", online)
	if online {
		w.kstr("status", pick([]string{"ONLINE", "BUSY"}, h>>12))
	} else {
		w.kstr("status", pick([]string{"OFFLINE", "AWAY"}, h>>12))
	}
	w.kstr("role", pick(roles, h>>16))
	w.key("queues")
	w.arr()
	for q := 0; q < 1+int(h>>20%3); q++ {
		w.str(queueIDs[(int(h>>22)+q)%len(queueIDs)])
	}
	w.endArr()
	w.kint("slots", int64(h>>26%31))
	w.kstr("priority", pick(priorities, h>>31))
	w.key("groups")
	w.arr()
	if h>>34%3 != 0 {
		w.str(pick([]string{"Turno mañana", "Turno tarde", "Equipo Brasil"}, h>>36))
	}
	w.endArr()
	w.key("additionalInfo")
	w.obj()
	if h>>40%2 == 0 {
		w.key("team")
		w.obj()
		w.kstr("name", "Ventas \"Norte\"")
		w.kint("size", 12)
		w.endObj()
		w.key("skills")
		w.obj()
		w.kstrs("languages", "es", "pt")
		w.kbool("vip", true)
		w.endObj()
	}
	w.endObj()
	w.ktime("creationTime", g.t0-int64(h>>44%(700*daySec))-daySec)
	w.key("tags")
	w.arr()
	if h>>60%2 == 0 {
		w.str("senior")
	}
	w.endArr()
	w.endObj()
}

func (g *gen) writeChannel(w *jw, k int) {
	c := &g.channels[k]
	w.obj()
	w.kstr("id", c.id)
	w.kstr("platform", c.platform)
	w.kbool("active", c.active)
	w.kstr("name", c.name)
	w.kstr("webhookId", c.webhookID)
	switch c.platform {
	case "whatsapp":
		w.kstr("number", c.number)
		w.kstr("status", c.status)
		w.kstr("quality", c.quality)
		w.kstr("wabaId", c.wabaID)
		w.kbool("trial", c.trial)
	case "messenger":
		w.kstr("recipientId", c.recipientID)
		w.kint("daysToExpire", c.daysToExpire)
	case "instagram":
		w.kstr("pageId", c.pageID)
		w.kstr("recipientId", c.recipientID)
	case "telegram":
		w.kstr("token", c.token)
	}
	w.endObj()
}

var botNames = []string{"Bot Principal", "Bot Ventas", "Bot Soporte \"24h\""}
var topics = []string{"envíos", "pagos", "devoluciones", "horarios", "promociones"}
var triggers = []string{"hola", "quiero comprar", "¿dónde está mi pedido?", "factura", "hablar con \"humano\"", "ayuda\npor favor"}

func (g *gen) writeIntent(w *jw, i int) {
	h := g.hash(kIntent, i, 0)
	w.obj()
	w.key("id")
	w.openStr()
	w.b = g.appendID(w.b, kIntent, i)
	w.closeStr()
	w.key("name")
	w.openStr()
	w.b = append(w.b, pick(topics, h)...)
	w.b = append(w.b, "_intent_"...)
	w.b = strconv.AppendInt(w.b, int64(i+1), 10)
	w.closeStr()
	b := int(h >> 8 % uint64(len(botNames)))
	w.key("bot")
	if h>>12%50 == 0 {
		w.null()
	} else {
		w.obj()
		w.key("id")
		w.openStr()
		w.b = g.appendID(w.b, kBot, b)
		w.closeStr()
		w.kstr("name", botNames[b])
		w.endObj()
	}
	w.key("topics")
	w.arr()
	for t := 0; t < int(h>>16%3); t++ {
		w.str(topics[(int(h>>20)+t)%len(topics)])
	}
	w.endArr()
	w.key("triggers")
	w.arr()
	for t := 0; t < 1+int(h>>24%3); t++ {
		w.str(triggers[(int(h>>28)+t)%len(triggers)])
	}
	w.endArr()
	w.kbool("active", h>>32%10 != 0)
	w.endObj()
}

// ---- tickets ---------------------------------------------------------------

var ticketStates = []string{"OPEN", "IN_PROGRESS", "WAITING", "RESOLVED", "CLOSED"}

func (s *Server) writeTicket(w *jw, seq int) {
	g := s.g
	t := s.itemTime(kTicket, seq)
	h := g.hash(kTicket, seq, 0)
	state := pick(ticketStates, h)
	agent := int(h >> 4 % uint64(g.n[kAgent]))
	w.obj()
	w.key("id")
	w.openStr()
	w.b = g.appendID(w.b, kTicket, seq)
	w.closeStr()
	w.key("businessId")
	w.openStr()
	w.b = g.appendID(w.b, kTicket, -1)
	w.closeStr()
	w.key("ticketCode")
	w.openStr()
	w.b = strconv.AppendInt(append(w.b, "TCK-"...), int64(10001+seq), 10)
	w.closeStr()
	w.kstr("state", state)
	w.ktime("lastStateModification", t+int64(h>>8%7200))
	w.ktime("creationTime", t)
	w.key("lastModificationBy")
	w.obj()
	w.kint("id", 7_000_000_000+int64(agent))
	w.kstr("name", g.agentName(agent))
	w.kstr("email", g.agentEmail(agent))
	w.endObj()
	w.key("subject")
	w.scratch = appendText(w.scratch[:0], h>>2, 30)
	w.strBytes(w.scratch)
	html := h>>16%2 == 0
	w.key("content")
	w.scratch = w.scratch[:0]
	if html {
		w.scratch = append(w.scratch, "<p>"...)
	}
	w.scratch = appendText(w.scratch, h>>3, 150)
	if html {
		w.scratch = append(w.scratch, "</p>"...)
	}
	w.strBytes(w.scratch)
	if html {
		w.kstr("contentFormat", "HTML")
	} else {
		w.kstr("contentFormat", "PLAIN_TEXT")
	}
	w.key("searchableContent")
	w.scratch = appendText(w.scratch[:0], h>>3, 150)
	w.strBytes(w.scratch)
	w.kint("companyId", 4_200_000_000_000+int64(h>>20%1000))
	w.kint("authorId", 9_000_000_000+int64(h>>24%500))
	w.key("assignedTo")
	if state == "OPEN" {
		w.null()
	} else {
		w.obj()
		w.key("agentId")
		w.openStr()
		w.b = g.appendAgentID(w.b, agent)
		w.closeStr()
		w.kstr("name", g.agentName(agent))
		w.key("queue")
		w.obj()
		w.kstr("id", pick(queueIDs, h>>28))
		w.endObj()
		w.endObj()
	}
	w.key("followBy")
	w.arr()
	for f := 0; f < int(h>>32%3); f++ {
		w.int(9_000_000_000 + int64(mix64(h+uint64(f))%500))
	}
	w.endArr()
	w.key("waitingQueueIds")
	w.arr()
	if state == "WAITING" || state == "OPEN" {
		w.str(pick(queueIDs, h>>36))
	}
	w.endArr()
	if state == "WAITING" {
		w.ktime("waitingAssignationSince", t+60)
	}
	if state != "OPEN" {
		w.kstr("assignedQueueId", pick(queueIDs, h>>40))
		w.ktime("firstAnswer", t+int64(h>>44%3600)+30)
	} else {
		w.knull("assignedQueueId")
	}
	if state == "RESOLVED" || state == "CLOSED" {
		w.ktime("resolveDate", t+int64(h>>8%7200))
		w.key("finishedSlasMetrics")
		w.obj()
		w.kstr("firstResponse", pick([]string{"MET", "BREACHED"}, h>>48))
		w.kstr("resolution", pick([]string{"MET", "BREACHED", "PAUSED"}, h>>50))
		w.endObj()
	} else {
		w.key("finishedSlasMetrics")
		w.obj()
		w.endObj()
	}
	w.key("attachments")
	w.arr()
	for a := 0; a < int(h>>52%3); a++ {
		w.obj()
		w.kstr("name", pick([]string{"factura.pdf", "captura de pantalla.png", "log \"error\".txt"}, h>>(54+uint(a))))
		w.key("url")
		w.openStr()
		w.b = append(w.b, "https://storage.googleapis.com/m.botmaker.com/fake/att-"...)
		w.b = g.appendID(w.b, kAttachment, seq*4+a)
		w.closeStr()
		w.kint("size", int64(mix64(h+uint64(a))%2_000_000))
		w.kstr("contentType", "application/octet-stream")
		w.endObj()
	}
	w.endArr()
	w.key("chatIds")
	w.obj()
	if h>>56%4 != 0 {
		chat := int(h >> 6 % uint64(g.n[kChat]))
		w.key(g.chatChannel(chat).id) // channel ids need no escaping
		w.openStr()
		w.b = g.appendID(w.b, kChat, chat)
		w.closeStr()
	}
	w.endObj()
	w.key("fieldValues")
	w.arr()
	if h>>58%3 != 0 {
		w.obj()
		w.kstr("id", "fld-priority")
		w.kstr("name", "Prioridad")
		w.kstr("type", "SELECT")
		w.key("value")
		w.arr()
		w.obj()
		p := pick([]string{"alta", "media", "baja"}, h>>60)
		w.kstr("valueId", "prio-"+p)
		w.kstr("label", p)
		w.endObj()
		w.endArr()
		w.endObj()
		w.obj()
		w.kstr("id", "fld-tags")
		w.kstr("name", "Etiquetas \"internas\"")
		w.kstr("type", "MULTISELECT")
		w.key("value")
		w.arr()
		w.endArr()
		w.endObj()
	}
	w.endArr()
	w.endObj()
}
