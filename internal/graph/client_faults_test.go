package graph

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// resetMidAnswer promises a body, sends part of it and resets the connection (RST, not FIN).
func resetMidAnswer(t *testing.T, w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	defer conn.Close()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"key\":\"{\\\"result\\\":")
	_ = buf.Flush()
	if tc, ok := conn.(*tls.Conn); ok {
		if tcp, ok := tc.NetConn().(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
	}
}

func TestConnectionResetMidAnswerIsRetried(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			resetMidAnswer(t, w)
			return
		}
		writeSuccess(w)
	})
	c, _ := newTestClient(t, g, nil)
	r, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusSuccess || r.RequestID != "req-2" {
		t.Errorf("result %+v, want Success from req-2", r)
	}
	if n := len(g.seen()); n != 2 {
		t.Fatalf("got %d requests, want 2", n)
	}
}

func TestConnectionResetEveryTimeEndsAfterMaxRetries(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { resetMidAnswer(t, w) })
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	if err == nil || !strings.Contains(err.Error(), "failed after 3 attempt(s)") {
		t.Fatalf("got %v, want a transport error after 3 attempts", err)
	}
	if n := len(g.seen()); n != 3 {
		t.Fatalf("got %d requests, want 3", n)
	}
}

func TestAnswerThatIsNotAKeyValueObjectIsKeptRaw(t *testing.T) {
	for name, body := range map[string]string{
		"html":  "<html><body>502 Bad Gateway</body></html>",
		"empty": "",
		"array": "[1,2]",
		"utf8":  "\xff\xfe<html>",
	} {
		t.Run(name, func(t *testing.T) {
			g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) })
			c, _ := newTestClient(t, g, nil)
			r, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != "" || r.Key != "" || r.Value != strings.ToValidUTF8(body, "\uFFFD") || r.RequestID != "req-1" {
				t.Errorf("result %+v", r)
			}
			if n := len(g.seen()); n != 1 {
				t.Errorf("got %d requests, want 1: a malformed answer is final", n)
			}
		})
	}
}

// TestDefaultTransportRefusesTLS11: the transport NewClient uses by default (given the test
// server's CA) completes a TLS 1.2 handshake and refuses a server that offers at most TLS 1.1.
func TestDefaultTransportRefusesTLS11(t *testing.T) {
	if got := defaultHTTPClient().Transport.(*http.Transport).TLSClientConfig.MinVersion; got < tls.VersionTLS12 {
		t.Fatalf("default transport MinVersion = %#x, want TLS 1.2 or later", got)
	}
	for _, tc := range []struct {
		name      string
		serverMax uint16
		wantErr   bool
	}{
		{"TLS 1.1 only", tls.VersionTLS11, true},
		{"TLS 1.2", tls.VersionTLS12, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeSuccess(w) }))
			srv.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tc.serverMax} //nolint:gosec // the server under test is the old one
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)                              // the refused handshake is expected
			srv.StartTLS()
			t.Cleanup(srv.Close)

			transport := defaultHTTPClient().Transport.(*http.Transport).Clone()
			roots := x509.NewCertPool()
			roots.AddCert(srv.Certificate())
			transport.TLSClientConfig.RootCAs = roots
			t.Cleanup(transport.CloseIdleConnections)

			c, err := NewClient(Config{
				Endpoint: srv.URL, APIVersion: "v1.0", Credential: staticCredential{},
				Scopes: []string{"https://graph.microsoft.com/.default"}, MaxRetries: 0,
				Transport: &http.Client{Transport: transport},
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
			if tc.wantErr && (err == nil || !strings.Contains(err.Error(), "protocol version")) {
				t.Fatalf("got %v, want a refused handshake (protocol version)", err)
			}
			if !tc.wantErr && err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestNothingSkipsCertificateVerification scans the module's non-test Go files: no option may turn
// certificate verification off.
func TestNothingSkipsCertificateVerification(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	scanned := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "bin" || name == "dist" || name == "vendor" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		for _, banned := range []string{"InsecureSkipVerify", "VerifyPeerCertificate"} {
			if strings.Contains(string(src), banned) {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s sets %s", rel, banned)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 20 {
		t.Fatalf("scanned only %d Go files under %s", scanned, root)
	}
}
