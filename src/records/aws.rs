//! The AWS Route 53 target mapping (docs/entries-and-providers.md §5.3): a CNAME to an AWS load
//! balancer, CloudFront, Global Accelerator, VPC endpoint or API Gateway name becomes an alias
//! record, plus a TXT record with the same value so that a public DNS query can reconstruct the
//! alias.

use super::RecordType;

/// The canonical hosted zones of AWS alias targets: `(domain suffix, hosted zone id)`, sorted by
/// suffix. Gardener's table (`handler/aws/data/canonicalhostedzones.go`, from external-dns), with
/// the us-gov regions left out as there: Route 53 supports no alias targets there.
///
/// Elastic Load Balancing (`<region>.elb.amazonaws.com`, network load balancers
/// `elb.<region>.amazonaws.com`, China under `.amazonaws.com.cn`), Global Accelerator,
/// CloudFront, VPC endpoints (`<region>.vpce.amazonaws.com`) and regional API Gateway endpoints
/// (`execute-api.<region>.amazonaws.com`).
pub const AWS_CANONICAL_HOSTED_ZONES: &[(&str, &str)] = &[
    ("af-south-1.elb.amazonaws.com", "Z268VQBMOI5EKX"),
    ("af-south-1.vpce.amazonaws.com", "Z09302161J80N9A7UTP7U"),
    ("ap-east-1.elb.amazonaws.com", "Z3DQVH9N71FHZ0"),
    ("ap-east-1.vpce.amazonaws.com", "Z2LIHJ7PKBEMWN"),
    ("ap-east-2.elb.amazonaws.com", "Z02789141MW7T1WBU19PO"),
    ("ap-east-2.vpce.amazonaws.com", "Z09379811HWP0POAUWVN3"),
    ("ap-northeast-1.elb.amazonaws.com", "Z14GRHDCWA56QT"),
    ("ap-northeast-1.vpce.amazonaws.com", "Z2E726K9Y6RL4W"),
    ("ap-northeast-2.elb.amazonaws.com", "ZWKZPGTI48KDX"),
    ("ap-northeast-2.vpce.amazonaws.com", "Z27UANNT0PRK1T"),
    ("ap-northeast-3.elb.amazonaws.com", "Z5LXEXXYW11ES"),
    ("ap-northeast-3.vpce.amazonaws.com", "Z376B5OMM2JZL2"),
    ("ap-south-1.elb.amazonaws.com", "ZP97RAFLXTNZK"),
    ("ap-south-1.vpce.amazonaws.com", "Z2KVTB3ZLFM7JR"),
    ("ap-south-2.elb.amazonaws.com", "Z0173938T07WNTVAEPZN"),
    ("ap-south-2.vpce.amazonaws.com", "Z0952991RWSF5AHIQDIY"),
    ("ap-southeast-1.elb.amazonaws.com", "Z1LMS91P8CMLE5"),
    ("ap-southeast-1.vpce.amazonaws.com", "Z18LLCSTV4NVNL"),
    ("ap-southeast-2.elb.amazonaws.com", "Z1GM3OXH4ZPM65"),
    ("ap-southeast-2.vpce.amazonaws.com", "ZDK2GCRPAFKGO"),
    ("ap-southeast-3.elb.amazonaws.com", "Z08888821HLRG5A9ZRTER"),
    ("ap-southeast-3.vpce.amazonaws.com", "Z03881013RZ9BYYZO8N5W"),
    ("ap-southeast-4.elb.amazonaws.com", "Z09517862IB2WZLPXG76F"),
    ("ap-southeast-4.vpce.amazonaws.com", "Z07508191CO1RNBX3X3AU"),
    ("ap-southeast-5.elb.amazonaws.com", "Z06010284QMVVW7WO5J"),
    ("ap-southeast-6.elb.amazonaws.com", "Z023301818UFJ50CIO0MV"),
    ("ap-southeast-7.elb.amazonaws.com", "Z0390008CMBRTHFGWBCB"),
    ("awsglobalaccelerator.com", "Z2BJ6XQ5FK7U4H"),
    ("ca-central-1.elb.amazonaws.com", "ZQSVJUPU6J1EY"),
    ("ca-central-1.vpce.amazonaws.com", "ZRCXCF510Y6P9"),
    ("ca-west-1.elb.amazonaws.com", "Z06473681N0SF6OS049SD"),
    ("cloudfront.net", "Z2FDTNDATAQYW2"),
    ("cn-north-1.elb.amazonaws.com.cn", "Z1GDH35T77C1KE"),
    ("cn-northwest-1.elb.amazonaws.com.cn", "ZM7IZAIOVVDZF"),
    ("elb.af-south-1.amazonaws.com", "Z203XCE67M25HM"),
    ("elb.ap-east-1.amazonaws.com", "Z12Y7K3UBGUAD1"),
    ("elb.ap-east-2.amazonaws.com", "Z09176273OC2HWIAUNYW"),
    ("elb.ap-northeast-1.amazonaws.com", "Z31USIVHYNEOWT"),
    ("elb.ap-northeast-2.amazonaws.com", "ZIBE1TIR4HY56"),
    ("elb.ap-northeast-3.amazonaws.com", "Z1GWIQ4HH19I5X"),
    ("elb.ap-south-1.amazonaws.com", "ZVDDRBQ08TROA"),
    ("elb.ap-south-2.amazonaws.com", "Z0711778386UTO08407HT"),
    ("elb.ap-southeast-1.amazonaws.com", "ZKVM4W9LS7TM"),
    ("elb.ap-southeast-2.amazonaws.com", "ZCT6FZBF4DROD"),
    ("elb.ap-southeast-3.amazonaws.com", "Z01971771FYVNCOVWJU1G"),
    ("elb.ap-southeast-4.amazonaws.com", "Z01156963G8MIIL7X90IV"),
    ("elb.ap-southeast-5.amazonaws.com", "Z026317210H9ACVTRO6FB"),
    ("elb.ap-southeast-6.amazonaws.com", "Z01392953RKV2Q3RBP0KU"),
    ("elb.ap-southeast-7.amazonaws.com", "Z054363131YWATEMWRG5L"),
    ("elb.ca-central-1.amazonaws.com", "Z2EPGBW3API2WT"),
    ("elb.ca-west-1.amazonaws.com", "Z02754302KBB00W2LKWZ9"),
    ("elb.cn-north-1.amazonaws.com.cn", "Z3QFB96KMJ7ED6"),
    ("elb.cn-northwest-1.amazonaws.com.cn", "ZQEIKTCZ8352D"),
    ("elb.eu-central-1.amazonaws.com", "Z3F0SRJ5LGBH90"),
    ("elb.eu-central-2.amazonaws.com", "Z02239872DOALSIDCX66S"),
    ("elb.eu-north-1.amazonaws.com", "Z1UDT6IFJ4EJM"),
    ("elb.eu-south-1.amazonaws.com", "Z23146JA1KNAFP"),
    ("elb.eu-south-2.amazonaws.com", "Z1011216NVTVYADP1SSV"),
    ("elb.eu-west-1.amazonaws.com", "Z2IFOLAFXWLO4F"),
    ("elb.eu-west-2.amazonaws.com", "ZD4D7Y8KGAS4G"),
    ("elb.eu-west-3.amazonaws.com", "Z1CMS0P5QUZ6D5"),
    ("elb.il-central-1.amazonaws.com", "Z0313266YDI6ZRHTGQY4"),
    ("elb.me-central-1.amazonaws.com", "Z00282643NTTLPANJJG2P"),
    ("elb.me-south-1.amazonaws.com", "Z3QSRYVP46NYYV"),
    ("elb.mx-central-1.amazonaws.com", "Z02031231H3ID6HYJ9A7U"),
    ("elb.sa-east-1.amazonaws.com", "ZTK26PT1VY4CU"),
    ("elb.us-east-1.amazonaws.com", "Z26RNL4JYFTOTI"),
    ("elb.us-east-2.amazonaws.com", "ZLMOA37VPKANP"),
    ("elb.us-west-1.amazonaws.com", "Z24FKFUX50B4VW"),
    ("elb.us-west-2.amazonaws.com", "Z18D5FSROUN65G"),
    ("eu-central-1.elb.amazonaws.com", "Z215JYRZR1TBD5"),
    ("eu-central-1.vpce.amazonaws.com", "Z273ZU8SZ5RJPC"),
    ("eu-central-2.elb.amazonaws.com", "Z06391101F2ZOEP8P5EB3"),
    ("eu-central-2.vpce.amazonaws.com", "Z045369019J4FUQ4S272E"),
    ("eu-north-1.elb.amazonaws.com", "Z23TAZ6LKFMNIO"),
    ("eu-north-1.vpce.amazonaws.com", "Z3OWWK6JFDEDGC"),
    ("eu-south-1.elb.amazonaws.com", "Z3ULH7SSC9OV64"),
    ("eu-south-1.vpce.amazonaws.com", "Z2A5FDNRLY7KZG"),
    ("eu-south-2.elb.amazonaws.com", "Z0956581394HF5D5LXGAP"),
    ("eu-south-2.vpce.amazonaws.com", "Z014396544HENR57XQCJ"),
    ("eu-west-1.elb.amazonaws.com", "Z32O12XQLNTSW2"),
    ("eu-west-1.vpce.amazonaws.com", "Z38GZ743OKFT7T"),
    ("eu-west-2.elb.amazonaws.com", "ZHURV8PSTC4K8"),
    ("eu-west-2.vpce.amazonaws.com", "Z7K1066E3PUKB"),
    ("eu-west-3.elb.amazonaws.com", "Z3Q77PNBQS71R4"),
    ("eu-west-3.vpce.amazonaws.com", "Z1DWHTMFP0WECP"),
    ("execute-api.af-south-1.amazonaws.com", "Z2DHW2332DAMTN"),
    ("execute-api.ap-east-1.amazonaws.com", "Z3FD1VL90ND7K5"),
    (
        "execute-api.ap-east-2.amazonaws.com",
        "Z02909591O7FG9Q56HWB1",
    ),
    ("execute-api.ap-northeast-1.amazonaws.com", "Z1YSHQZHG15GKL"),
    ("execute-api.ap-northeast-2.amazonaws.com", "Z20JF4UZKIW1U8"),
    ("execute-api.ap-south-1.amazonaws.com", "Z3VO1THU9YC4UR"),
    ("execute-api.ap-southeast-1.amazonaws.com", "ZL327KTPIQFUL"),
    ("execute-api.ap-southeast-2.amazonaws.com", "Z2RPCDW04V8134"),
    ("execute-api.ca-central-1.amazonaws.com", "Z19DQILCV0OWEC"),
    ("execute-api.eu-central-1.amazonaws.com", "Z1U9ULNL0V5AJ3"),
    ("execute-api.eu-north-1.amazonaws.com", "Z3UWIKFBOOGXPP"),
    ("execute-api.eu-south-1.amazonaws.com", "Z3BT4WSQ9TDYZV"),
    (
        "execute-api.eu-south-2.amazonaws.com",
        "Z02499852UI5HEQ5JVWX3",
    ),
    ("execute-api.eu-west-1.amazonaws.com", "ZLY8HYME6SFDD"),
    ("execute-api.eu-west-2.amazonaws.com", "ZJ5UAJN8Y3Z2Q"),
    ("execute-api.eu-west-3.amazonaws.com", "Z3KY65QIEKYHQQ"),
    (
        "execute-api.me-central-1.amazonaws.com",
        "Z08780021BKYYY8U0YHTV",
    ),
    ("execute-api.me-south-1.amazonaws.com", "Z20ZBPC0SS8806"),
    ("execute-api.sa-east-1.amazonaws.com", "ZCMLWB8V5SYIT"),
    ("execute-api.us-east-1.amazonaws.com", "Z1UJRXOUMOOFQ8"),
    ("execute-api.us-east-2.amazonaws.com", "ZOJJZC49E0EPZ"),
    ("execute-api.us-west-1.amazonaws.com", "Z2MUQ32089INYE"),
    ("execute-api.us-west-2.amazonaws.com", "Z2OJLYMUO9EFXC"),
    ("il-central-1.elb.amazonaws.com", "Z09170902867EHPV2DABU"),
    ("me-central-1.elb.amazonaws.com", "Z08230872XQRWHG2XF6I"),
    ("me-central-1.vpce.amazonaws.com", "Z07122992YCEUCB9A9570"),
    ("me-south-1.elb.amazonaws.com", "ZS929ML54UICD"),
    ("me-south-1.vpce.amazonaws.com", "Z3B95P3VBGEQGY"),
    ("mx-central-1.elb.amazonaws.com", "Z023552324OKD1BB28BH5"),
    ("sa-east-1.elb.amazonaws.com", "Z2P70J7HTTTPLU"),
    ("sa-east-1.vpce.amazonaws.com", "Z2LXUWEVLCVZIB"),
    ("us-east-1.elb.amazonaws.com", "Z35SXDOTRQ7X7K"),
    ("us-east-1.vpce.amazonaws.com", "Z7HUB22UULQXV"),
    ("us-east-2.elb.amazonaws.com", "Z3AADJGX6KTTL2"),
    ("us-east-2.vpce.amazonaws.com", "ZC8PG0KIFKBRI"),
    ("us-west-1.elb.amazonaws.com", "Z368ELLRRE2KJ0"),
    ("us-west-1.vpce.amazonaws.com", "Z12I86A8N7VCZO"),
    ("us-west-2.elb.amazonaws.com", "Z1H1FL5HABSF5"),
    ("us-west-2.vpce.amazonaws.com", "Z1YSA3EXCYUU9Z"),
];

/// The canonical hosted zone of `host` if it is an AWS alias target: `host` equals a suffix of
/// [`AWS_CANONICAL_HOSTED_ZONES`] or lies below it. The longest suffix wins.
///
/// The match is on whole labels (as every name match here, COMPATIBILITY.md#d1). Gardener matches
/// with a plain `strings.HasSuffix` over a Go map (§8.12), so there `notcloudfront.net` or
/// `evil-eu-west-1.elb.amazonaws.com` are alias targets too, and `lb.cloudfront.net.` (with the
/// trailing dot) is none; here `host` is normalised and only real subdomains match.
///
/// ```
/// use shoot_dns::records::aws_canonical_hosted_zone;
///
/// assert_eq!(aws_canonical_hosted_zone("my-lb-1.eu-central-1.elb.amazonaws.com"), Some("Z215JYRZR1TBD5"));
/// assert_eq!(aws_canonical_hosted_zone("d111111abcdef8.cloudfront.net"), Some("Z2FDTNDATAQYW2"));
/// assert_eq!(aws_canonical_hosted_zone("notcloudfront.net"), None);
/// assert_eq!(aws_canonical_hosted_zone("www.example.com"), None);
/// ```
pub fn aws_canonical_hosted_zone(host: &str) -> Option<&'static str> {
    let lookup = |suffix: &str| {
        AWS_CANONICAL_HOSTED_ZONES
            .binary_search_by(|(s, _)| (*s).cmp(suffix))
            .ok()
            .map(|i| AWS_CANONICAL_HOSTED_ZONES[i].1)
    };
    // The name itself, then every suffix that starts after a dot, longest first.
    std::iter::once(host)
        .chain(host.match_indices('.').map(|(i, _)| &host[i + 1..]))
        .find_map(lookup)
}

/// The alias record types for an ip-stack annotation: `dual-stack` → `ALIAS` and `ALIAS_AAAA`,
/// `ipv6` → `ALIAS_AAAA`, anything else or none → `ALIAS`. Compared case-insensitively, as
/// Gardener lower-cases the annotation (Go `strings.ToLower`, Unicode-aware).
pub(super) fn alias_types(ip_stack: Option<&str>) -> &'static [RecordType] {
    match ip_stack.map(str::to_lowercase).as_deref() {
        Some("dual-stack") => &[RecordType::ALIAS, RecordType::ALIAS_AAAA],
        Some("ipv6") => &[RecordType::ALIAS_AAAA],
        _ => &[RecordType::ALIAS],
    }
}

/// Gardener's `MapTargets` for Route 53: each CNAME target that is an AWS alias target becomes
/// the alias types of [`alias_types`] plus a TXT target with the same value; everything else
/// passes unchanged. Duplicates are removed by the caller.
pub(super) fn map_targets(
    targets: Vec<(RecordType, String)>,
    ip_stack: Option<&str>,
) -> Vec<(RecordType, String)> {
    let mut mapped = Vec::with_capacity(targets.len() + 1);
    for (record_type, value) in targets {
        if record_type == RecordType::CNAME && aws_canonical_hosted_zone(&value).is_some() {
            for &alias in alias_types(ip_stack) {
                mapped.push((alias, value.clone()));
            }
            mapped.push((RecordType::TXT, value));
        } else {
            mapped.push((record_type, value));
        }
    }
    mapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_without_us_gov() {
        assert!(
            AWS_CANONICAL_HOSTED_ZONES
                .windows(2)
                .all(|w| w[0].0 < w[1].0),
            "sorted and unique, for the binary search"
        );
        assert!(
            AWS_CANONICAL_HOSTED_ZONES
                .iter()
                .all(|(s, z)| !s.contains("us-gov") && !z.is_empty())
        );
        assert_eq!(AWS_CANONICAL_HOSTED_ZONES.len(), 125);
    }

    #[test]
    fn every_kind_of_alias_target() {
        for (host, zone) in [
            ("a.eu-central-1.elb.amazonaws.com", "Z215JYRZR1TBD5"),
            ("a.elb.eu-central-1.amazonaws.com", "Z3F0SRJ5LGBH90"),
            ("a.cn-north-1.elb.amazonaws.com.cn", "Z1GDH35T77C1KE"),
            ("a.elb.cn-northwest-1.amazonaws.com.cn", "ZQEIKTCZ8352D"),
            ("a1234.awsglobalaccelerator.com", "Z2BJ6XQ5FK7U4H"),
            ("d1.cloudfront.net", "Z2FDTNDATAQYW2"),
            ("vpce-1.us-east-1.vpce.amazonaws.com", "Z7HUB22UULQXV"),
            ("x.execute-api.eu-west-1.amazonaws.com", "ZLY8HYME6SFDD"),
            ("cloudfront.net", "Z2FDTNDATAQYW2"),
        ] {
            assert_eq!(aws_canonical_hosted_zone(host), Some(zone), "{host}");
        }
    }

    #[test]
    fn look_alikes_and_us_gov_are_no_alias_targets() {
        for host in [
            "evilelb.amazonaws.com.example.org",
            "lb.eu-central-1.elb.amazonaws.com.example.org",
            "notcloudfront.net",
            "evil-eu-west-1.elb.amazonaws.com",
            "lb.us-gov-west-1.elb.amazonaws.com",
            "elb.amazonaws.com",
            "amazonaws.com",
            "www.example.com",
            "",
        ] {
            assert_eq!(aws_canonical_hosted_zone(host), None, "{host}");
        }
    }

    #[test]
    fn alias_types_by_ip_stack() {
        assert_eq!(
            alias_types(Some("dual-stack")),
            [RecordType::ALIAS, RecordType::ALIAS_AAAA]
        );
        assert_eq!(alias_types(Some("Dual-Stack")).len(), 2);
        assert_eq!(alias_types(Some("ipv6")), [RecordType::ALIAS_AAAA]);
        assert_eq!(alias_types(Some("ipv4")), [RecordType::ALIAS]);
        assert_eq!(alias_types(Some("banana")), [RecordType::ALIAS]);
        assert_eq!(alias_types(None), [RecordType::ALIAS]);
    }
}
