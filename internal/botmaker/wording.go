package botmaker

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// certProblem reports whether err is a failure to trust the server's TLS
// certificate. Such an error is not retried and is no network trouble, so
// the message should send the user to the certificate, not the network.
func certProblem(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}
