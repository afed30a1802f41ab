//! The credential tables of Google's DNS services: Cloud DNS (a service-account key or a
//! workload identity) and Google Distributed Cloud Hosted (a GDCH service account).

use super::checks::{Checks, optional, required};
use super::rules::Rule::*;
use super::workload_identity_keys::{CONFIG, PROVIDER, TOKEN};
use crate::go_json::decode_string_fields;
use crate::provider::ProviderType;

/// The table of `provider_type`, if it is one of these.
pub(super) fn checks(provider_type: ProviderType) -> Option<&'static Checks> {
    match provider_type {
        ProviderType::GoogleCloudDns => Some(&GOOGLE),
        _ => None,
    }
}

/// The table of `gdch-dns` (a handler of Gardener's that is no [`ProviderType`]), if
/// `provider_type` is that.
pub(super) fn other_checks(provider_type: &str) -> Option<&'static Checks> {
    (provider_type == "gdch-dns").then_some(&GDCH)
}

const GOOGLE: Checks = Checks {
    properties: &[
        optional(
            "serviceaccount.json",
            &[],
            &[Custom(google_service_account)],
        )
        .hidden(),
        optional(TOKEN, &[], &[MaxLength(4096)]),
        optional(CONFIG, &[], &[MaxLength(4096)]),
        optional(PROVIDER, &[], &[Expected("gcp")]),
    ],
    alternatives: &[&["serviceaccount.json"], &[TOKEN, CONFIG, PROVIDER]],
};

const GDCH: Checks = Checks {
    properties: &[
        required("serviceaccount.json", &[], &[Custom(gdch_service_account)]).hidden(),
        required("gdch-config", &[], &[]).hidden(),
    ],
    alternatives: &[],
};

/// `^[a-z][a-z0-9-]{4,<max_middle>}[a-z0-9]$`: a Google project id.
fn is_project_id(value: &str, max_middle: usize) -> bool {
    let bytes = value.as_bytes();
    (6..=max_middle + 2).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1].is_ascii_lowercase() | bytes[bytes.len() - 1].is_ascii_digit()
        && bytes[1..bytes.len() - 1]
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

fn not_json(error: String) -> String {
    format!("'serviceaccount.json' data field does not contain a valid JSON: {error}")
}

/// A Google service account key: JSON with a valid `project_id` and `type: service_account`.
fn google_service_account(value: &str) -> Result<(), String> {
    let fields = decode_string_fields(
        value,
        "google.lightCredentialsFile",
        &["type", "client_email", "private_key_id", "project_id"],
    )
    .map_err(not_json)?;
    if !is_project_id(&fields[3], 28) {
        return Err("'serviceaccount.json' field 'project_id' is not a valid project".to_owned());
    }
    if fields[0] != "service_account" {
        return Err("'serviceaccount.json' field 'type' is not 'service_account'".to_owned());
    }
    Ok(())
}

/// A GDCH service account: JSON with a valid `project` and `type: gdch_service_account`.
fn gdch_service_account(value: &str) -> Result<(), String> {
    let fields = decode_string_fields(
        value,
        "validation.LightCredentialsFile",
        &["type", "name", "private_key_id", "private_key", "project"],
    )
    .map_err(not_json)?;
    if !is_project_id(&fields[4], 30) {
        return Err("'serviceaccount.json' field 'project' is not a valid project".to_owned());
    }
    if fields[0] != "gdch_service_account" {
        return Err("'serviceaccount.json' field 'type' is not 'gdch_service_account'".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::outcome;
    use super::*;

    const WI_LABEL: &str = "workloadidentity.security.gardener.cloud/provider";

    #[test]
    fn project_ids() {
        assert!(is_project_id("my-project-123", 28));
        assert!(is_project_id(&format!("a{}b", "c".repeat(28)), 28));
        assert!(!is_project_id(&format!("a{}b", "c".repeat(29)), 28));
        for bad in ["abcde", "1abcdef", "abcdef-", "_invalid", "Abcdef"] {
            assert!(!is_project_id(bad, 28), "{bad}");
        }
    }

    #[test]
    fn google_clouddns() {
        let account = r#"{
   "type": "service_account",
   "project_id": "my-project-123",
   "private_key_id": "key-id",
   "client_email": "test@my-project.iam.gserviceaccount.com"
  }"#;
        assert_eq!(
            outcome("google-clouddns", &[("serviceaccount.json", account)]),
            "ok"
        );
        assert_eq!(
            outcome(
                "google-clouddns",
                &[("serviceaccount.json", "invalid json")]
            ),
            "validation failed for property serviceaccount.json: 'serviceaccount.json' data field does not contain a valid JSON: invalid character 'i' looking for beginning of value"
        );
        let external = account.replace("\"service_account\"", "\"external_account\"");
        assert_eq!(
            outcome("google-clouddns", &[("serviceaccount.json", &external)]),
            "validation failed for property serviceaccount.json: 'serviceaccount.json' field 'type' is not 'service_account'"
        );
        let bad_project = account.replace("my-project-123", "My_Project");
        assert_eq!(
            outcome("google-clouddns", &[("serviceaccount.json", &bad_project)]),
            "validation failed for property serviceaccount.json: 'serviceaccount.json' field 'project_id' is not a valid project"
        );
        assert_eq!(
            outcome(
                "google-clouddns",
                &[("serviceaccount.json", r#"{"project_id": 5}"#)]
            ),
            "validation failed for property serviceaccount.json: 'serviceaccount.json' data field does not contain a valid JSON: json: cannot unmarshal number into Go struct field lightCredentialsFile.project_id of type string"
        );
        assert_eq!(
            outcome(
                "google-clouddns",
                &[
                    ("token", "token-value"),
                    ("config", "config-value"),
                    (WI_LABEL, "gcp")
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome(
                "google-clouddns",
                &[("config", "config-value"), (WI_LABEL, "gcp")]
            ),
            "validation failed for provider type google-clouddns: at least one of the disjunct property sets must be fully provided: [serviceaccount.json] or [token, config, workloadidentity.security.gardener.cloud/provider]"
        );
        assert_eq!(
            outcome(
                "google-clouddns",
                &[("token", "t"), ("config", "c"), (WI_LABEL, "aws")]
            ),
            "validation failed for property workloadidentity.security.gardener.cloud/provider with value \"aws\": value must be \"gcp\""
        );
    }

    #[test]
    fn gdch() {
        let account = r#"{"type":"gdch_service_account","project":"my-project-1234567890","name":"n","private_key_id":"k","private_key":"p"}"#;
        assert_eq!(
            outcome(
                "gdch-dns",
                &[("serviceaccount.json", account), ("gdch-config", "cfg")]
            ),
            "ok"
        );
        assert_eq!(
            outcome("gdch-dns", &[]),
            "validation failed for provider type gdch-dns: property \"serviceaccount.json\" is required but not provided\nproperty \"gdch-config\" is required but not provided"
        );
        assert_eq!(
            outcome(
                "gdch-dns",
                &[
                    (
                        "serviceaccount.json",
                        r#"{"type":"service_account","project":"my-project"}"#
                    ),
                    ("gdch-config", "c")
                ]
            ),
            "validation failed for property serviceaccount.json: 'serviceaccount.json' field 'type' is not 'gdch_service_account'"
        );
        assert_eq!(
            outcome(
                "gdch-dns",
                &[("serviceaccount.json", "[]"), ("gdch-config", "c")]
            ),
            "validation failed for property serviceaccount.json: 'serviceaccount.json' data field does not contain a valid JSON: json: cannot unmarshal array into Go value of type validation.LightCredentialsFile"
        );
    }
}
