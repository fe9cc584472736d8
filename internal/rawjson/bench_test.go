package rawjson

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchPage is a Botmaker /messages page: 1000 items of a few hundred bytes
// of mostly non-ASCII text with a few escapes, every 50th with a ~10 KB text.
func benchPage() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"hola", "pedido", "línea", "🎉", "日本語", "order", "привет", "10:30", "$1.299,90", "gracias", "envío", "por", "favor"}
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; i < 1000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		n := 5 + r.IntN(25)
		if i%50 == 0 {
			n = 1500
		}
		var text strings.Builder
		if i%4 == 0 { // as in Botmaker's data, some texts have quotes, newlines, escapes
			text.WriteString(`Él dijo \"hola\"\ny se fue \u2028 `)
		}
		for w := 0; w < n; w++ {
			text.WriteString(words[r.IntN(len(words))])
			text.WriteByte(' ')
		}
		fmt.Fprintf(&b, `{"id":"M%019d","creationTime":"2026-10-23T20:38:%02dZ","from":"bot","queueId":"atención","content":{"type":"text","text":"%s","buttons":["Sí","No"]},"encryptionParams":null,"sessionCreationTime":"2026-10-23T20:38:22Z","chat":{"chatId":"B00PVXVF65B2EJEFRCJ6","channelId":"botproject-whatsapp-5491141618709","contactId":"5499166628170"},"sessionId":"B00PVXVF65B2EJEFRCJ6_2026-10-23T20:38:22Z"}`,
			i, i%60, text.String())
	}
	b.WriteString(`],"nextPage":"https://api.botmaker.com/v2.0/messages?page=abc"}`)
	return []byte(b.String())
}

func BenchmarkWalkPage(b *testing.B) {
	page := benchPage()
	if !json.Valid(page) {
		b.Fatal("bench page is not JSON")
	}
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		err := ObjectEach(page, func(k, v []byte) error {
			if string(k) != "items" {
				return nil
			}
			return ArrayEach(v, func(item []byte) error {
				return ObjectEach(item, func(k, v []byte) error { return nil })
			})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
