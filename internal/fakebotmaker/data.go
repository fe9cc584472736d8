package fakebotmaker

import (
	"strconv"
)

// Everything in this file is a pure function of (seed, kind, index): the
// generated data set is never materialised. Only small per-entity state
// (chat activity times, finished sessions, added items) lives in Server.

const daySec = 86400

type kind uint64

const (
	kChat kind = iota + 1
	kMsg
	kSess
	kCall
	kContact
	kAgent
	kChannel
	kIntent
	kTicket
	kBot
	kEvent
	kSessMsg
	kRecording
	kAttachment
)

// crockford base32 alphabet: uppercase letters and digits only.
const crock = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// mix64 is the splitmix64 finalizer: a bijection on uint64.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

type gen struct {
	seed       uint64
	t0         int64 // unix seconds, Config.Now floored
	hist       int64 // history span in seconds
	recent     int64 // the "boosted" recent span (3 days or hist if shorter)
	n          []int // item counts by the endpoint rows' kind (Counts.byKind)
	largeEvery int
	channels   []channel
	sessStride int64
	openPermil uint64 // per-mille of recent base sessions that start open
}

// hash returns a well-mixed value for (kind, index, salt).
func (g *gen) hash(k kind, i int, salt uint64) uint64 {
	return mix64(g.seed*0x9e3779b97f4a7c15 ^ mix64(uint64(k)<<48^uint64(i)) ^ (salt+1)*0xd1b54a32d192ed03)
}

// idBits is injective in i for a fixed (seed, kind): XOR with a constant and
// a bijection.
func (g *gen) idBits(k kind, i int) uint64 {
	return mix64(uint64(i) ^ mix64(g.seed+uint64(k)*0x632be59bd9b4e019))
}

// appendID appends a 20-character uppercase alphanumeric id such as
// "DN5SFU5TP46YHJXVAX3F". The first 13 characters encode idBits, so ids of one
// kind are unique; the last 7 are filler.
func (g *gen) appendID(b []byte, k kind, i int) []byte {
	x := g.idBits(k, i)
	for j := 0; j < 13; j++ {
		b = append(b, crock[x>>59])
		x <<= 5
	}
	y := g.hash(k, i, 0x1d)
	for j := 0; j < 7; j++ {
		b = append(b, crock[y>>59])
		y <<= 5
	}
	return b
}

func (g *gen) id(k kind, i int) string { return string(g.appendID(make([]byte, 0, 20), k, i)) }

// appendDigits appends n decimal digits derived from h (first digit non-zero).
func appendDigits(b []byte, h uint64, n int) []byte {
	for j := 0; j < n; j++ {
		d := byte(h % 10)
		if j == 0 && d == 0 {
			d = 1 + byte(h>>8)%9
		}
		b = append(b, '0'+d)
		h = h/10 ^ mix64(h+uint64(j))>>40
	}
	return b
}

func appendHex(b []byte, h uint64, n int) []byte {
	for j := 0; j < n; j++ {
		if j%16 == 0 && j > 0 {
			h = mix64(h)
		}
		b = append(b, hexDigits[(h>>(4*(j%16)))&0xf])
	}
	return b
}

// baseTime is the (non-decreasing in i) timestamp of the i-th of n generated
// items of a windowed entity: the first 80% spread uniformly over
// [t0-hist, t0-recent), the last 20% over [t0-recent, t0). With the default 90
// days that puts ~13% of every windowed entity in the last 2 days. All values
// are < t0. The integer arithmetic is exact, so baseTime is monotonic in the
// rational i/n: if a/n1 <= b/n2 then baseTime(a,n1) <= baseTime(b,n2).
func (g *gen) baseTime(i, n int) int64 {
	H, R := g.hist, g.recent
	I, N := int64(i), int64(n)
	if H == R {
		return g.t0 - H + I*H/N
	}
	if 5*I < 4*N {
		return g.t0 - H + 5*I*(H-R)/(4*N)
	}
	return g.t0 - R + (5*I-4*N)*R/N
}

// genTime is the time of generated item i of kind k: baseTime, except for
// notifications, which reach back only notifSpan (notifications.go).
func (g *gen) genTime(k kind, i int) int64 {
	if k == kNotification {
		span := min(g.hist, notifSpan)
		return g.t0 - span + int64(i)*span/int64(g.n[k])
	}
	return g.baseTime(i, g.n[k])
}

// ---- channels -------------------------------------------------------------

type channel struct {
	id, platform, name, webhookID string
	active                        bool
	// WhatsApp
	number, status, quality, wabaID string
	trial                           bool
	// Messenger / Instagram
	recipientID  string
	daysToExpire int64
	pageID       string
	// Telegram
	token string
}

var channelPlatforms = []string{"whatsapp", "telegram", "messenger", "instagram", "webchat"}

// knownPlatforms are accepted by the platform query parameter of /channels
// and /contacts.
var knownPlatforms = map[string]bool{
	"whatsapp": true, "telegram": true, "messenger": true, "instagram": true, "instagram_chat": true,
	"webchat": true, "googlechat": true, "voice-text": true, "msteams": true, "workplace": true,
	"google-business-messages": true, "twitter": true, "webhook": true, "assistant": true,
	"skyhub": true, "conversational-web": true, "gmail": true,
}

var channelNames = []string{"Ventas", "Soporte", "Atención 24/7", "Cobranzas", "Marketing \"VIP\"", "Postventa"}

func (g *gen) makeChannels() []channel {
	out := make([]channel, g.n[kChannel])
	for k := range out {
		h := g.hash(kChannel, k, 0)
		p := channelPlatforms[k%len(channelPlatforms)]
		c := channel{platform: p, active: k%len(channelPlatforms) != 4}
		c.name = channelNames[k%len(channelNames)] + " " + strconv.Itoa(k+1)
		c.webhookID = string(g.appendID(nil, kChannel, k))
		switch p {
		case "whatsapp":
			c.number = string(appendDigits([]byte("549114"), h, 7))
			c.id = "botproject-whatsapp-" + c.number
			c.status = []string{"CONNECTED", "FLAGGED", "PENDING"}[h%3]
			c.quality = []string{"GREEN", "YELLOW", "RED"}[h>>8%3]
			c.wabaID = string(appendDigits(nil, h>>4, 15))
			c.trial = k%2 == 1
		case "telegram":
			c.id = "botproject-telegram-" + string(appendDigits(nil, h, 10))
			// A bot token looks like "123456789:AAH...": secret-looking on purpose.
			c.token = string(appendDigits(nil, h>>3, 10)) + ":AAH" + string(g.appendID(nil, kChannel, k+1000)) + "x_Q9-" + string(appendHex(nil, h, 12))
		case "messenger":
			c.recipientID = string(appendDigits(nil, h, 16))
			c.id = "botproject-messenger-" + c.recipientID
			c.daysToExpire = int64(h % 60)
		case "instagram":
			c.pageID = string(appendDigits(nil, h>>2, 15))
			c.recipientID = string(appendDigits(nil, h, 17))
			c.id = "botproject-instagram-" + c.recipientID
		default:
			c.id = "botproject-webchat-" + string(appendHex(nil, h, 12))
		}
		out[k] = c
	}
	return out
}

// ---- people, text -----------------------------------------------------------

var firstNames = []string{"María", "José", "Zoë", "Łukasz", "Ана", "明", "Søren", "Renée", "João", "Aylin", "Sam", "Nguyễn", "Fatima", "Chloé", "Ömer", "Priya"}
var lastNames = []string{"Pérez", "Müller", "O'Brien", "D\"Angelo", "García", "Smith", "Kowalski", "Núñez", "李", "van der Berg", "Silva", "Øvergaard", "Ivanova", "Tanaka"}
var countries = []string{"AR", "BR", "MX", "ES", "US", "CO", "CL", "PE", "UY"}
var languages = []string{"es", "pt", "en", "fr"}
var tagsPool = []string{"vip", "nuevo-cliente", "reclamo", "lead", "facturación", "churn-risk", "b2b", "promo \"verano\""}
var queueIDs = []string{"ventas", "soporte", "cobranzas", "atención-preferencial", "postventa"}

var words = []string{
	"hola", "gracias", "pedido", "envío", "factura", "consulta", "necesito", "ayuda", "con", "mi", "cuenta",
	"por", "favor", "cuándo", "llega", "el", "producto", "número", "de", "seguimiento", "olá", "obrigado",
	"entrega", "hello", "order", "status", "please", "refund", "ñandú", "acción", "señal", "日本語", "テキスト",
	"emoji", "🎉", "🚀", "ça", "va", "Straße", "über", "привет", "mañana", "a", "las", "10:30", "hs", "$1.299,90",
}

var specials = []string{
	`Él dijo "hola" y se fue.`,
	"línea uno\nlínea dos\r\nlínea tres",
	"</script><script>alert('x')</script>",
	`C:\Users\bot\archivo.txt`,
	"tab\tseparated\tvalues",
	"controles\u0001\u001f fin",
	"zero\u200bwidth and \u2028 line separator",
	"<b>negrita</b> & 'comillas' \\\"escapadas\\\"",
	"{\"json\": [1, 2, 3]} // not really",
}

// appendText appends human-ish free text of about target bytes (raw, not
// escaped) chosen by h. About one text in four contains a "special" snippet
// with quotes, newlines, control or script-like characters.
func appendText(b []byte, h uint64, target int) []byte {
	start := len(b)
	x := h
	if h%4 == 0 {
		b = append(b, specials[(h>>3)%uint64(len(specials))]...)
		b = append(b, ' ')
	}
	for len(b)-start < target {
		x = mix64(x + 0x9e3779b97f4a7c15)
		b = append(b, words[x%uint64(len(words))]...)
		if x>>40%9 == 0 {
			b = append(b, '.')
		}
		b = append(b, ' ')
	}
	return b[:len(b)-1]
}

func pick[T any](xs []T, h uint64) T { return xs[h%uint64(len(xs))] }

// ---- chats ------------------------------------------------------------------

func (g *gen) chatChannel(j int) *channel {
	return &g.channels[g.hash(kChat, j, 1)%uint64(len(g.channels))]
}

// appendContactID appends the platform contact id of chat j (a phone number
// for WhatsApp, a numeric id for Telegram/Messenger/Instagram, a hex id for
// webchat).
func (g *gen) appendContactID(b []byte, j int) []byte {
	h := g.hash(kChat, j, 2)
	switch g.chatChannel(j).platform {
	case "whatsapp":
		return appendDigits(append(b, "549"...), h, 10)
	case "telegram":
		return appendDigits(b, h, 9)
	case "messenger":
		return appendDigits(b, h, 16)
	case "instagram":
		return appendDigits(b, h, 17)
	default:
		return appendHex(append(b, "wc-"...), h, 16)
	}
}

// chatRef writes {"chatId","channelId","contactId"} for chat j.
func (g *gen) chatRef(w *jw, j int) {
	w.obj()
	w.key("chatId")
	w.openStr()
	w.b = g.appendID(w.b, kChat, j)
	w.closeStr()
	w.kstr("channelId", g.chatChannel(j).id)
	w.key("contactId")
	w.openStr()
	w.b = g.appendContactID(w.b, j)
	w.closeStr()
	w.endObj()
}

func (g *gen) appendAgentID(b []byte, a int) []byte { return g.appendID(b, kAgent, a) }

// sessChat is the chat of base session j. Consecutive sessions (the only ones
// that can share a start second) always get distinct chats, so session ids
// "<chatId>_<start>" are unique.
func (g *gen) sessChat(j int) int {
	return int((int64(j)*g.sessStride + int64(g.seed%1000)) % int64(g.n[kChat]))
}
