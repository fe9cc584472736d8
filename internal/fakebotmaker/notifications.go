package fakebotmaker

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ---- /notifications/sent-results -------------------------------------------

// kNotification salts the notification instances (see kTemplate).
const kNotification kind = 102

// notifMaxBack is how far back the endpoint serves without
// notification-name: 3 calendar months.
func notifMaxBack(now time.Time) int64 { return now.AddDate(0, -3, 0).UnixNano() }

// notifSpan is how far back the generated instances reach: inside the
// 3 months Botmaker serves, since older ones could not be listed anyway.
const notifSpan = 88 * daySec

// AddNotifications sends n notification instances now.
func (s *Server) AddNotifications(n int) []string {
	return s.addNow(kNotification, n, onlyTime)
}

var notificationNames = []string{"Bienvenida", "Recordatorio de pago", "Encuesta NPS", "Promo \"Verano\""}
var notificationStatuses = []string{"COMPLETED", "COMPLETED", "COMPLETED", "SENDING", "CANCELLED"}

// queryNotifications reads the instances newest first, as the SPEC says,
// 500 a page. Without notification-name, from is required and may reach 3
// months back; to defaults to now minus one day.
func (s *Server) queryNotifications(_ *Endpoint, _ *http.Request, q url.Values) (*listing, *apiErr) {
	name := q.Get("notification-name")
	if name == "" && q.Get(pageParam) == "" && q.Get("from") == "" {
		return nil, badParam("from", "'from' is required when 'notification-name' is not provided")
	}
	now := s.Now()
	l := &listing{
		ws: winSpec{defFrom: oneDayBefore, defTo: func(now int64) int64 { return now - int64(24*time.Hour) }},
		// With a name, the window does not apply.
		all:   name != "",
		write: s.writeNotification,
	}
	if name == "" {
		l.check = func(win window) *apiErr {
			if win.from < notifMaxBack(now)-int64(recentGrace) {
				return &apiErr{http.StatusBadRequest, "INVALID_DATETIME_INTERVAL", "from", "'from' cannot be more than 3 months back"}
			}
			return nil
		}
	} else {
		l.keep = func(seq int) bool { return pick(notificationNames, s.g.hash(kNotification, seq, 1)) == name }
	}
	return l, nil
}

func (s *Server) writeNotification(w *jw, seq int) {
	g := s.g
	h := g.hash(kNotification, seq, 1)
	t := s.itemTime(kNotification, seq)
	w.obj()
	w.kstr("campaignName", "Campaña "+strconv.Itoa(int(h%7)+1))
	w.kstr("contactGroup", pick(tagsPool, h>>4))
	w.kstr("notificationName", pick(notificationNames, h))
	w.ktime("start", t)
	status := pick(notificationStatuses, h>>8)
	if status == "SENDING" {
		w.knull("end")
	} else {
		w.ktime("end", t+int64(h>>12%3600))
	}
	w.kstr("status", status)
	sent := int64(h>>16%500) + 1
	delivered := sent - int64(h>>24%(uint64(sent)/10+1))
	read := delivered * int64(h>>32%100) / 100
	w.key("details")
	w.obj()
	w.kint("sent", sent)
	w.kint("delivered", delivered)
	w.kint("read", read)
	w.kint("answered", read*int64(h>>40%50)/100)
	w.kint("error", sent-delivered)
	w.endObj()
	w.key("notificationInstanceId")
	w.openStr()
	w.b = g.appendID(w.b, kNotification, seq)
	w.closeStr()
	w.endObj()
}
