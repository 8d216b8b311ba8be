package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/entrasync/terraform-provider-entrasync/internal/auth"
)

// signInAttributes are the provider's sign-in settings. The first configured method is used, in
// the order access token, certificate, secret, OIDC token or file, Azure Pipelines, GitHub
// Actions OIDC, AKS workload identity, managed identity, Azure CLI.
func signInAttributes() map[string]schema.Attribute {
	optional := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, MarkdownDescription: description}
	}
	sensitive := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: description}
	}
	flag := func(description string) schema.BoolAttribute {
		return schema.BoolAttribute{Optional: true, MarkdownDescription: description}
	}
	return map[string]schema.Attribute{
		"tenant_id": optional("Microsoft Entra tenant ID (a GUID or a verified domain) of the application that signs in. " +
			"Defaults to `ARM_TENANT_ID`; with `use_aks_workload_identity`, then `AZURE_TENANT_ID`. The Azure CLI signs in to it when set."),
		"client_id": optional("Application (client) ID of the application that signs in, or of a user-assigned managed identity. " +
			"Defaults to `ARM_CLIENT_ID`; with `use_aks_workload_identity`, then `AZURE_CLIENT_ID`."),
		"client_id_file_path": optional("File holding the application (client) ID; must agree with `client_id` when both are set. " +
			"Defaults to `ARM_CLIENT_ID_FILE_PATH`."),
		"access_token": sensitive("A ready bearer token for Microsoft Graph, used as is and never refreshed (for pipelines that " +
			"mint their own). Wins over every other sign-in setting. Defaults to `ENTRASYNC_ACCESS_TOKEN`."),
		"client_certificate": sensitive("Client certificate with its private key: a base64-encoded PKCS#12 (.pfx) or PEM file, " +
			"or PEM text. Conflicts with `client_certificate_path`. Defaults to `ARM_CLIENT_CERTIFICATE`."),
		"client_certificate_path": optional("Path of a PKCS#12 (.pfx) or PEM file with the client certificate and its private key. " +
			"Defaults to `ARM_CLIENT_CERTIFICATE_PATH`."),
		"client_certificate_password": sensitive("Password of the PKCS#12 client certificate. Defaults to `ARM_CLIENT_CERTIFICATE_PASSWORD`."),
		"client_secret": sensitive("Client secret of the application. Conflicts with `client_secret_file_path`. " +
			"Defaults to `ARM_CLIENT_SECRET`."),
		"client_secret_file_path": optional("File holding the client secret. Defaults to `ARM_CLIENT_SECRET_FILE_PATH`."),
		"use_oidc": flag("Sign in with an OIDC token (workload identity federation): `oidc_token`, `oidc_token_file_path`, " +
			"Azure Pipelines (`ado_pipeline_service_connection_id`) or GitHub Actions (`oidc_request_token` and `oidc_request_url`), " +
			"tried in that order. Defaults to `ARM_USE_OIDC`, else false."),
		"oidc_token": sensitive("An OIDC ID token to exchange for a Graph token. Needs `use_oidc`. Defaults to `ARM_OIDC_TOKEN`."),
		"oidc_token_file_path": optional("File holding an OIDC ID token, read again for every token request (Kubernetes rotates it). " +
			"Needs `use_oidc`. Defaults to `ARM_OIDC_TOKEN_FILE_PATH`."),
		"oidc_request_token": sensitive("Bearer token for the OIDC token request URL. Needs `use_oidc`. Defaults to " +
			"`ARM_OIDC_REQUEST_TOKEN`, then `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (GitHub Actions), then `SYSTEM_ACCESSTOKEN` (Azure Pipelines)."),
		"oidc_request_url": optional("GitHub Actions' ID token request URL; the token is requested for the audience " +
			"`api://AzureADTokenExchange`. Needs `use_oidc`. Defaults to `ARM_OIDC_REQUEST_URL`, then `ACTIONS_ID_TOKEN_REQUEST_URL`."),
		"ado_pipeline_service_connection_id": optional("ID of the Azure Pipelines service connection (workload identity federation) " +
			"to sign in with. Needs `use_oidc` and the job's `SYSTEM_ACCESSTOKEN`; the request URL is `SYSTEM_OIDCREQUESTURI`. " +
			"Defaults to `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`."),
		"use_aks_workload_identity": flag("Sign in with AKS workload identity: the token file in `AZURE_FEDERATED_TOKEN_FILE` " +
			"(or `oidc_token_file_path`), the client in `AZURE_CLIENT_ID` and the tenant in `AZURE_TENANT_ID` unless `client_id` and " +
			"`tenant_id` are set. Defaults to `ARM_USE_AKS_WORKLOAD_IDENTITY`, else false."),
		"use_msi": flag("Sign in with the managed identity of the Azure VM, App Service, Container App or Function the run is on. " +
			"Defaults to `ARM_USE_MSI`, else false."),
		"msi_client_id": optional("Client ID of a user-assigned managed identity; without it, `client_id` (`ARM_CLIENT_ID`) if set, " +
			"else the system-assigned identity."),
		"use_cli": flag("Sign in as the Azure CLI's logged-in account (`az login`), in `tenant_id` when set. Tried last; defaults to " +
			"`ARM_USE_CLI`, else true."),
		"authority_host": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Sign-in authority that replaces the environment's (for private clouds and tests). Must be `https`; " +
				"a host other than Microsoft's is used without Microsoft's instance discovery. Token scopes still follow `environment`. " +
				"Defaults to `ENTRASYNC_AUTHORITY_HOST`.",
			Validators: []validator.String{stringCheck("a https URL", func(v string) error {
				_, err := auth.ParseAuthorityHost(v)
				return err
			})},
		},
	}
}
