package fakeidentity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/pem"
	"time"

	"golang.org/x/crypto/pkcs12"
)

// pkcs12Fixture is a client certificate in PKCS#12 with 3DES encryption, made once with
//
//	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 36500 -subj "/CN=entrasync test client (PKCS#12 fixture)"
//	openssl pkcs12 -export -legacy -inkey key.pem -in cert.pem -out client.p12 -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1
//
// Go's standard library writes no PKCS#12; the key is a test key and protects nothing.
//
//go:embed testdata/client.p12
var pkcs12Fixture []byte

// PKCS12Password is the password of PKCS12Certificate.
const PKCS12Password = "p12-fixture-password-5d1e" //nolint:gosec // a test fixture's password

// PKCS12Certificate returns the PKCS#12 fixture and its certificate, to register with AddApp.
func PKCS12Certificate() ([]byte, *x509.Certificate, error) {
	_, cert, err := pkcs12.Decode(pkcs12Fixture, PKCS12Password)
	if err != nil {
		return nil, nil, err
	}
	return append([]byte(nil), pkcs12Fixture...), cert, nil
}

// NewClientCertificate creates a self-signed client certificate with an RSA key (MSAL signs
// assertions with PS256) and returns it as PEM (certificate, then unencrypted PKCS#8 key).
func NewClientCertificate(commonName string) ([]byte, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: commonName},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})...)
	return out, cert, nil
}
