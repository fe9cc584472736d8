package fakebotmaker

import (
	"net/http"
	"net/url"
	"time"
)

// ---- /billing/whatsapp/billed-conversations --------------------------------

// kBilled salts the billed conversations (see kTemplate).
const kBilled kind = 104

// AddBilledConversations bills n conversations now, in the current month.
func (s *Server) AddBilledConversations(n int) []string {
	return s.addNow(kBilled, n, onlyTime)
}

var billedOrigins = []string{"user-initiated", "business-initiated", "business-initiated", "referral-initiated"}

// queryBilled reads one billing month (billingPeriod=YYYY-MM; the current
// month by the server clock without it), oldest first, 2500 a page.
func (s *Server) queryBilled(_ *Endpoint, _ *http.Request, q url.Values) (*listing, *apiErr) {
	now := s.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if v := q.Get("billingPeriod"); v != "" {
		m, err := time.Parse("2006-01", v)
		if err != nil {
			return nil, badParam("billingPeriod", "Invalid billing period: expected YYYY-MM, e.g. 2023-12")
		}
		month = m
	}
	return &listing{fixed: &window{month.UnixNano(), month.AddDate(0, 1, 0).UnixNano()}, write: s.writeBilled}, nil
}

func (s *Server) writeBilled(w *jw, seq int) {
	g := s.g
	h := g.hash(kBilled, seq, 1)
	chat := int(h % uint64(g.n[kChat]))
	var line *channel
	for k := range g.channels {
		if g.channels[k].platform == "whatsapp" {
			line = &g.channels[k]
			break
		}
	}
	w.obj()
	w.ktime("startDatetime", s.itemTime(kBilled, seq))
	if line != nil {
		w.kstr("wabaId", line.wabaID)
		w.kstr("phoneNumber", line.number)
	}
	w.kstr("businessId", "fake-business")
	w.kstr("country", pick(countries, h>>8))
	w.key("userPhoneNumber")
	w.openStr()
	w.b = appendDigits(append(w.b, "549"...), h>>12, 10)
	w.closeStr()
	w.key("whatsappConversationId")
	w.openStr()
	w.b = g.appendID(w.b, kBilled, seq)
	w.closeStr()
	w.key("customerId")
	w.openStr()
	w.b = g.appendID(w.b, kChat, chat)
	w.closeStr()
	w.kstr("linkToChat", "https://go.botmaker.com/#/chats/"+g.id(kChat, chat))
	origin := pick(billedOrigins, h>>16)
	w.kstr("origin", origin)
	if origin == "business-initiated" {
		w.kstr("templateName", pick(templates, h>>20))
	}
	w.endObj()
}
