// Command terraform-provider-floor serves the floor provider of `make bench` (see tools/bench/floor).
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/entrasync/terraform-provider-entrasync/tools/bench/floor"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with TF_REATTACH_PROVIDERS, as the bench does")
	flag.Parse()
	err := providerserver.Serve(context.Background(), floor.New, providerserver.ServeOpts{
		Address: floor.Address, Debug: debug, ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
