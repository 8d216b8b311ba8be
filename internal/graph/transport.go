package graph

import (
	"crypto/tls"
	"net/http"
	"sync"
	"time"
)

// defaultHTTPClient mirrors azcore's default transport, which is not exported and could not
// be wrapped by bodyLimit otherwise.
var defaultHTTPClient = sync.OnceValue(func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 10
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.HTTP2 = &http.HTTP2Config{SendPingTimeout: 10 * time.Second, PingTimeout: 5 * time.Second}
	return &http.Client{Transport: t}
})
