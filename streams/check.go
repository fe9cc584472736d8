package streams

import "net/url"

// CheckPage says whether body, the answer to req, is the stream's
// documented response envelope, with the same rule a read applies to every
// page (parsePage). check uses it so that any JSON 200 ({"status":"ok"} from
// a proxy, a bare list) does not pass for Botmaker.
func (s *Stream) CheckPage(body []byte, req *url.URL) error {
	_, err := s.parsePage(body, req)
	return err
}
