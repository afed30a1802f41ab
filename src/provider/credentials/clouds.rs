//! The credential tables of the cloud providers' DNS services: AWS Route53, Azure DNS (public
//! and private), Alibaba Cloud DNS and OpenStack Designate.

use super::checks::{Checks, optional, required};
use super::rules::Rule::{self, *};
use super::workload_identity_keys::{CONFIG, PROVIDER, TOKEN};
use crate::provider::ProviderType;

/// The table of `provider_type`, if it is one of these.
pub(super) fn checks(provider_type: ProviderType) -> Option<&'static Checks> {
    match provider_type {
        ProviderType::AwsRoute53 => Some(&AWS),
        ProviderType::AzureDns | ProviderType::AzurePrivateDns => Some(&AZURE),
        ProviderType::AlicloudDns => Some(&ALICLOUD),
        ProviderType::OpenstackDesignate => Some(&OPENSTACK),
        _ => None,
    }
}

const TRIMMED: Rule = NoTrailingWhitespace;

/// `^[a-z0-9-]*$`: an empty region means the default one.
fn region(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

const ARN: &str = r"^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role\/[\w+=,.@\-_/]+$";

/// [`ARN`]: an IAM role of any AWS partition.
fn role_arn(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("arn:aws") else {
        return false;
    };
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-');
    let Some(rest) = rest.strip_prefix(":iam::") else {
        return false;
    };
    let (account, rest) = rest.split_at(rest.len().min(12));
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && rest.strip_prefix(":role/").is_some_and(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-/".contains(c))
        })
}

/// `^[0-9a-fA-F-]+$`.
fn azure_id(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

const AZURE_ID: Rule = Pattern("^[0-9a-fA-F-]+$", azure_id);

pub(super) const AWS: Checks = Checks {
    properties: &[
        optional(
            "AWS_ACCESS_KEY_ID",
            &["accessKeyID"],
            &[TRIMMED, AlphaNumeric, MaxLength(128)],
        ),
        optional(
            "AWS_SECRET_ACCESS_KEY",
            &["secretAccessKey"],
            &[TRIMMED, MaxLength(128)],
        )
        .hidden(),
        optional(
            "AWS_REGION",
            &["region"],
            &[TRIMMED, MaxLength(32), Pattern("^[a-z0-9-]*$", region)],
        )
        .allow_empty(),
        optional("AWS_USE_CREDENTIALS_CHAIN", &[], &[TRIMMED, Bool]),
        optional("AWS_SESSION_TOKEN", &["sessionToken"], &[MaxLength(8192)]).hidden(),
        optional(TOKEN, &[], &[MaxLength(4096)]),
        optional(CONFIG, &[], &[MaxLength(4096)]),
        optional(PROVIDER, &[], &[Expected("aws")]),
        optional("roleARN", &[], &[TRIMMED, Pattern(ARN, role_arn)]),
    ],
    alternatives: &[
        &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
        &["AWS_USE_CREDENTIALS_CHAIN"],
        &[TOKEN, CONFIG, PROVIDER],
    ],
};

const AZURE: Checks = Checks {
    properties: &[
        optional(
            "AZURE_SUBSCRIPTION_ID",
            &["subscriptionID"],
            &[TRIMMED, AZURE_ID, MaxLength(64)],
        ),
        optional(
            "AZURE_CLIENT_ID",
            &["clientID"],
            &[TRIMMED, AZURE_ID, MaxLength(64)],
        ),
        optional(
            "AZURE_CLIENT_SECRET",
            &["clientSecret"],
            &[TRIMMED, MaxLength(64)],
        )
        .hidden(),
        optional(
            "AZURE_TENANT_ID",
            &["tenantID"],
            &[TRIMMED, AZURE_ID, MaxLength(64)],
        ),
        optional(
            "AZURE_CLOUD",
            &[],
            &[
                TRIMMED,
                OneOf(&["AzurePublic", "AzureChina", "AzureGovernment"]),
            ],
        ),
        optional(TOKEN, &[], &[MaxLength(4096)]),
        optional(CONFIG, &[], &[MaxLength(4096)]),
        optional(PROVIDER, &[], &[Expected("azure")]),
    ],
    alternatives: &[
        &[
            "AZURE_SUBSCRIPTION_ID",
            "AZURE_CLIENT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_TENANT_ID",
        ],
        &[TOKEN, CONFIG, PROVIDER],
    ],
};

const ALICLOUD: Checks = Checks {
    properties: &[
        required(
            "ACCESS_KEY_ID",
            &["accessKeyID"],
            &[TRIMMED, AlphaNumeric, MaxLength(64)],
        ),
        required(
            "ACCESS_KEY_SECRET",
            &["accessKeySecret"],
            &[TRIMMED, MaxLength(64)],
        )
        .hidden(),
    ],
    alternatives: &[],
};

const OPENSTACK: Checks = Checks {
    properties: &[
        required(
            "OS_AUTH_URL",
            &["authURL"],
            &[TRIMMED, Url(&["http", "https"]), MaxLength(256)],
        ),
        optional(
            "OS_APPLICATION_CREDENTIAL_ID",
            &["applicationCredentialID"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(128)],
        ),
        optional(
            "OS_APPLICATION_CREDENTIAL_NAME",
            &["applicationCredentialName"],
            &[TRIMMED, Printable, MaxLength(128)],
        ),
        optional(
            "OS_APPLICATION_CREDENTIAL_SECRET",
            &["applicationCredentialSecret"],
            &[TRIMMED, MaxLength(128)],
        )
        .hidden(),
        optional(
            "OS_USERNAME",
            &["username"],
            &[TRIMMED, Printable, MaxLength(128)],
        ),
        optional(
            "OS_PASSWORD",
            &["password"],
            &[TRIMMED, MaxLength(128), NoTrailingNewline],
        )
        .hidden(),
        optional(
            "OS_DOMAIN_NAME",
            &["domainName"],
            &[TRIMMED, Printable, MaxLength(128)],
        ),
        optional(
            "OS_DOMAIN_ID",
            &["domainID"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(128)],
        ),
        optional(
            "OS_PROJECT_NAME",
            &["tenantName"],
            &[TRIMMED, Printable, MaxLength(64)],
        ),
        optional(
            "OS_PROJECT_ID",
            &["tenantID"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(128)],
        ),
        optional(
            "OS_USER_DOMAIN_NAME",
            &["userDomainName"],
            &[TRIMMED, Printable, MaxLength(128)],
        ),
        optional(
            "OS_USER_DOMAIN_ID",
            &["userDomainID"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(128)],
        ),
        optional("OS_REGION_NAME", &[], &[TRIMMED, Printable, MaxLength(128)]),
        optional("CACERT", &["caCert"], &[CaCert]).hidden(),
        optional("CLIENTCERT", &["clientCert"], &[Pem]).hidden(),
        optional("CLIENTKEY", &["clientKey"], &[Pem]).hidden(),
        optional("INSECURE", &["insecure"], &[Bool]),
        optional("OS_IDENTITY_API_VERSION", &[], &[Int(2, 100)]),
    ],
    alternatives: &[],
};

#[cfg(test)]
mod tests {
    use super::super::tests::outcome;
    use super::*;

    const WI_LABEL: &str = "workloadidentity.security.gardener.cloud/provider";

    #[test]
    fn aws_route53() {
        let secret = "ZXhhbXBsZS1rZXk=";
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
                    ("AWS_SECRET_ACCESS_KEY", secret)
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
                    ("AWS_REGION", "us-east-1"),
                    ("AWS_SECRET_ACCESS_KEY", secret)
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("accessKeyID", "myAccessKeyId"),
                    ("secretAccessKey", "mySecretAccessKey"),
                    ("region", "")
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome("aws-route53", &[("AWS_USE_CREDENTIALS_CHAIN", "true")]),
            "ok"
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("token", "token-value"),
                    ("config", "config-value"),
                    (WI_LABEL, "aws")
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("token", "t"),
                    ("config", "c"),
                    (WI_LABEL, "aws"),
                    ("roleARN", "arn:aws-cn:iam::123456789012:role/my-role")
                ]
            ),
            "ok"
        );
        let sets = "at least one of the disjunct property sets must be fully provided: [AWS_ACCESS_KEY_ID (aliases [accessKeyID]), AWS_SECRET_ACCESS_KEY (aliases [secretAccessKey])] or [AWS_USE_CREDENTIALS_CHAIN] or [token, config, workloadidentity.security.gardener.cloud/provider]";
        assert_eq!(
            outcome(
                "aws-route53",
                &[("config", "config-value"), (WI_LABEL, "aws")]
            ),
            format!("validation failed for provider type aws-route53: {sets}")
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("AWS_ACCESS_KEY_ID", "A"),
                    ("AWS_SECRET_ACCESS_KEY", "s"),
                    ("AWS_USE_CREDENTIALS_CHAIN", "false")
                ]
            ),
            format!("validation failed for provider type aws-route53: {sets}")
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[("token", "t"), ("config", "c"), (WI_LABEL, "gcp")]
            ),
            "validation failed for property workloadidentity.security.gardener.cloud/provider with value \"gcp\": value must be \"aws\""
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("accessKeyID", " myAccessKeyId"),
                    ("secretAccessKey", "mySecretAccessKey")
                ]
            ),
            "validation failed for property accessKeyID (alias for AWS_ACCESS_KEY_ID) with value \" myAccessKeyId\": value must not contain trailing whitespace"
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("accessKeyID", "myAccessKeyId"),
                    ("secretAccessKey", "mySecretAccessKey"),
                    ("wrongKey", "foo")
                ]
            ),
            "validation failed for provider type aws-route53: property \"wrongKey\" is not allowed"
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("AWS_ACCESS_KEY_ID", "A"),
                    ("AWS_SECRET_ACCESS_KEY", "top secret ")
                ]
            ),
            "validation failed for property AWS_SECRET_ACCESS_KEY: value must not contain trailing whitespace"
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("AWS_ACCESS_KEY_ID", "A"),
                    ("AWS_SECRET_ACCESS_KEY", "s"),
                    ("AWS_REGION", "EU")
                ]
            ),
            "validation failed for property AWS_REGION with value \"EU\": value must follow regular expresion: ^[a-z0-9-]*$"
        );
        assert_eq!(
            outcome("aws-route53", &[("AWS_USE_CREDENTIALS_CHAIN", "yes")]),
            "validation failed for property AWS_USE_CREDENTIALS_CHAIN with value \"yes\": value must be a boolean (true/false)"
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("AWS_USE_CREDENTIALS_CHAIN", "true"),
                    ("roleARN", "arn:aws:iam::12345:role/x")
                ]
            ),
            format!(
                "validation failed for property roleARN with value \"arn:aws:iam::12345:role/x\": value must follow regular expresion: {ARN}"
            )
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[
                    ("AWS_ACCESS_KEY_ID", "A"),
                    ("AWS_SECRET_ACCESS_KEY", "s"),
                    ("accessKeyID", "B")
                ]
            ),
            "validation failed for provider type aws-route53: property \"accessKeyID\" is defined multiple times by an alias of AWS_ACCESS_KEY_ID (aliases [accessKeyID])"
        );
        assert_eq!(
            outcome(
                "aws-route53",
                &[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "s")]
            ),
            "validation failed for provider type aws-route53: property \"AWS_ACCESS_KEY_ID\" is empty (please set non-empty value or drop the property)"
        );
        let long = "x".repeat(129);
        assert_eq!(
            outcome(
                "aws-route53",
                &[("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", &long)]
            ),
            "validation failed for property AWS_SECRET_ACCESS_KEY: value exceeds maximum length of 128 characters"
        );
    }

    #[test]
    fn role_arns() {
        for good in [
            "arn:aws:iam::123456789012:role/my-role",
            "arn:aws-us-gov:iam::123456789012:role/a/b_c+=,.@-",
        ] {
            assert!(role_arn(good), "{good}");
        }
        for bad in [
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::1234567890123:role/x",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:iam::123456789012:role/ä",
        ] {
            assert!(!role_arn(bad), "{bad}");
        }
    }

    #[test]
    fn azure() {
        let id = "12345678-1234-1234-1234-123456789012";
        let base = [
            ("AZURE_SUBSCRIPTION_ID", id),
            ("AZURE_CLIENT_ID", id),
            ("AZURE_CLIENT_SECRET", "secret"),
            ("AZURE_TENANT_ID", id),
        ];
        for t in ["azure-dns", "azure-private-dns"] {
            assert_eq!(outcome(t, &base), "ok");
            for cloud in ["AzurePublic", "AzureChina", "AzureGovernment"] {
                let mut with_cloud = base.to_vec();
                with_cloud.push(("AZURE_CLOUD", cloud));
                assert_eq!(outcome(t, &with_cloud), "ok");
            }
            let mut wrong_cloud = base.to_vec();
            wrong_cloud.push(("AZURE_CLOUD", "foo"));
            assert_eq!(
                outcome(t, &wrong_cloud),
                "validation failed for property AZURE_CLOUD with value \"foo\": value must be one of: AzurePublic, AzureChina, AzureGovernment"
            );
            assert_eq!(
                outcome(
                    t,
                    &[
                        ("token", "token-value"),
                        ("config", "config-value"),
                        (WI_LABEL, "azure")
                    ]
                ),
                "ok"
            );
            assert_eq!(
                outcome(t, &[("config", "config-value"), (WI_LABEL, "azure")]),
                format!(
                    "validation failed for provider type {t}: at least one of the disjunct property sets must be fully provided: [AZURE_SUBSCRIPTION_ID (aliases [subscriptionID]), AZURE_CLIENT_ID (aliases [clientID]), AZURE_CLIENT_SECRET (aliases [clientSecret]), AZURE_TENANT_ID (aliases [tenantID])] or [token, config, workloadidentity.security.gardener.cloud/provider]"
                )
            );
            assert_eq!(
                outcome(t, &[("token", "t"), ("config", "c"), (WI_LABEL, "gcp")]),
                "validation failed for property workloadidentity.security.gardener.cloud/provider with value \"gcp\": value must be \"azure\""
            );
        }
        assert_eq!(
            outcome(
                "azure-dns",
                &[
                    ("subscriptionID", "xyz"),
                    ("clientID", id),
                    ("clientSecret", "s"),
                    ("tenantID", id)
                ]
            ),
            "validation failed for property subscriptionID (alias for AZURE_SUBSCRIPTION_ID) with value \"xyz\": value must follow regular expresion: ^[0-9a-fA-F-]+$"
        );
    }

    #[test]
    fn alicloud() {
        assert_eq!(
            outcome(
                "alicloud-dns",
                &[("ACCESS_KEY_ID", "LTAI5t"), ("ACCESS_KEY_SECRET", "s3cr3t")]
            ),
            "ok"
        );
        assert_eq!(
            outcome(
                "alicloud-dns",
                &[("accessKeyID", "LTAI5t"), ("accessKeySecret", "s3cr3t")]
            ),
            "ok"
        );
        assert_eq!(
            outcome("alicloud-dns", &[("ACCESS_KEY_ID", "")]),
            "validation failed for provider type alicloud-dns: property \"ACCESS_KEY_ID\" is required but empty\nproperty \"ACCESS_KEY_SECRET\" is required but not provided"
        );
        assert_eq!(
            outcome(
                "alicloud-dns",
                &[("ACCESS_KEY_ID", "LTAI-5t"), ("ACCESS_KEY_SECRET", "s")]
            ),
            "validation failed for property ACCESS_KEY_ID with value \"LTAI-5t\": value must contain only alphanumeric characters"
        );
    }

    #[test]
    fn openstack() {
        let base = [
            ("OS_AUTH_URL", "https://keystone.example.com:5000/v3"),
            ("OS_USERNAME", "user"),
            ("OS_PASSWORD", "pass"),
            ("OS_PROJECT_NAME", "proj"),
        ];
        assert_eq!(outcome("openstack-designate", &base), "ok");
        assert_eq!(
            outcome(
                "openstack-designate",
                &[
                    ("authURL", "https://k"),
                    ("applicationCredentialID", "id"),
                    ("applicationCredentialSecret", "s"),
                    ("insecure", "true"),
                    ("OS_IDENTITY_API_VERSION", "3")
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome("openstack-designate", &[]),
            "validation failed for provider type openstack-designate: property \"OS_AUTH_URL\" is required but not provided"
        );
        assert_eq!(
            outcome("openstack-designate", &[("OS_AUTH_URL", "ftp://k")]),
            "validation failed for property OS_AUTH_URL with value \"ftp://k\": value must start with one of the following schemes: http, https"
        );
        assert_eq!(
            outcome("openstack-designate", &[("OS_AUTH_URL", "https://k:port")]),
            "validation failed for property OS_AUTH_URL with value \"https://k:port\": value must be a valid URL, error: parse \"https://k:port\": invalid port \":port\" after host"
        );
        assert_eq!(
            outcome(
                "openstack-designate",
                &[("OS_AUTH_URL", "https://k"), ("OS_USERNAME", "a\u{7}b")]
            ),
            "validation failed for property OS_USERNAME with value \"a\\ab\": value must contain only printable characters, found: rune 7"
        );
        assert_eq!(
            outcome(
                "openstack-designate",
                &[
                    ("OS_AUTH_URL", "https://k"),
                    ("OS_IDENTITY_API_VERSION", "1")
                ]
            ),
            "validation failed for property OS_IDENTITY_API_VERSION with value \"1\": value must be between 2 and 100"
        );
        assert_eq!(
            outcome(
                "openstack-designate",
                &[("OS_AUTH_URL", "https://k"), ("CACERT", "not a pem")]
            ),
            "validation failed for property CACERT: cannot parse certificates from PEM format"
        );
        assert_eq!(
            outcome(
                "openstack-designate",
                &[
                    ("OS_AUTH_URL", "https://k"),
                    ("caCert", super::super::pem::tests::CA_CERT)
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome(
                "openstack-designate",
                &[("OS_AUTH_URL", "https://k"), ("clientKey", "nope")]
            ),
            "validation failed for property clientKey (alias for CLIENTKEY): value must be a valid PEM encoded string"
        );
    }
}
