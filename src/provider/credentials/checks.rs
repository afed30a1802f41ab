//! Gardener's generic check of a Secret's properties against a provider type's table: which
//! keys are required or allowed (with their aliases), which may be empty, which values are
//! hidden, the rules of each value, and the alternative credential sets of which exactly one
//! must be given completely.

use std::collections::{BTreeMap, BTreeSet};

use super::rules::Rule;
use super::{CredentialsError, PropertyProblem};

/// One property a provider type knows.
#[derive(Debug, Clone, Copy)]
pub(super) struct Property {
    pub(super) name: &'static str,
    pub(super) aliases: &'static [&'static str],
    pub(super) required: bool,
    pub(super) allow_empty: bool,
    pub(super) hidden: bool,
    pub(super) rules: &'static [Rule],
}

/// A required property.
pub(super) const fn required(
    name: &'static str,
    aliases: &'static [&'static str],
    rules: &'static [Rule],
) -> Property {
    Property {
        name,
        aliases,
        required: true,
        allow_empty: false,
        hidden: false,
        rules,
    }
}

/// An optional property.
pub(super) const fn optional(
    name: &'static str,
    aliases: &'static [&'static str],
    rules: &'static [Rule],
) -> Property {
    Property {
        required: false,
        ..required(name, aliases, rules)
    }
}

impl Property {
    /// Its value is secret (or too long to show): messages never print it.
    pub(super) const fn hidden(self) -> Self {
        Self {
            hidden: true,
            ..self
        }
    }

    /// An empty value is fine.
    pub(super) const fn allow_empty(self) -> Self {
        Self {
            allow_empty: true,
            ..self
        }
    }

    /// `NAME (aliases [a,b])`, or the bare name without aliases.
    fn name_and_aliases(&self) -> String {
        if self.aliases.is_empty() {
            self.name.to_owned()
        } else {
            format!("{} (aliases [{}])", self.name, self.aliases.join(","))
        }
    }

    /// The value under the name or the first alias present, and the key it was found under.
    fn lookup<'a>(
        &self,
        properties: &'a BTreeMap<String, String>,
    ) -> Option<(&'static str, &'a str)> {
        std::iter::once(self.name)
            .chain(self.aliases.iter().copied())
            .find_map(|key| properties.get(key).map(|v| (key, v.as_str())))
    }
}

/// `used (alias for NAME)`, or the name itself.
fn nice_name(property: &Property, used: &str) -> String {
    if used == property.name {
        used.to_owned()
    } else {
        format!("{used} (alias for {})", property.name)
    }
}

/// A provider type's table of properties.
#[derive(Debug, Clone, Copy)]
pub(super) struct Checks {
    pub(super) properties: &'static [Property],
    /// Alternative credential sets (property names); if given, exactly one must be complete and
    /// no other may be partly given.
    pub(super) alternatives: &'static [&'static [&'static str]],
}

impl Checks {
    /// Whether the name or an alias of the property called (or aliased) `name_or_alias` is set.
    pub(super) fn is_set(
        &self,
        properties: &BTreeMap<String, String>,
        name_or_alias: &str,
    ) -> bool {
        self.properties
            .iter()
            .find(|p| p.name == name_or_alias || p.aliases.contains(&name_or_alias))
            .is_some_and(|p| p.lookup(properties).is_some())
    }

    /// Checks `properties` for `provider_type`. Missing, empty, unknown and conflicting keys
    /// and an incomplete credential set are collected; a value that breaks a rule is reported
    /// alone, at once.
    pub(super) fn validate(
        &self,
        provider_type: &str,
        properties: &BTreeMap<String, String>,
    ) -> Result<(), CredentialsError> {
        let mut problems = Vec::new();
        let mut used_keys = BTreeSet::new();
        let mut found = BTreeSet::new();
        for property in self.properties {
            let Some((key, value)) = property.lookup(properties) else {
                used_keys.insert(property.name);
                if property.required {
                    problems.push(PropertyProblem::Missing {
                        property: property.name.to_owned(),
                    });
                }
                continue;
            };
            used_keys.insert(key);
            found.insert(property.name);
            if value.is_empty() && !property.allow_empty {
                problems.push(PropertyProblem::Empty {
                    property: nice_name(property, key),
                    required: property.required,
                });
                continue;
            }
            for rule in property.rules {
                if let Err(reason) = rule.check(value) {
                    return Err(invalid_property(property, key, value, reason));
                }
            }
        }
        for (key, value) in properties {
            if used_keys.contains(key.as_str()) {
                continue;
            }
            match self
                .properties
                .iter()
                .find(|p| p.aliases.contains(&key.as_str()))
            {
                Some(property) => {
                    let differs = std::iter::once(property.name)
                        .chain(property.aliases.iter().copied())
                        .filter_map(|k| properties.get(k))
                        .any(|other| other != value);
                    if differs {
                        problems.push(PropertyProblem::Conflicting {
                            key: key.clone(),
                            property: property.name_and_aliases(),
                        });
                    }
                }
                None => problems.push(PropertyProblem::NotAllowed { key: key.clone() }),
            }
        }
        if !self.alternatives.is_empty() {
            let (mut complete, mut partial) = (0, 0);
            for set in self.alternatives {
                let given = set.iter().filter(|name| found.contains(*name)).count();
                if given == set.len() {
                    complete += 1;
                } else if given > 0 {
                    partial += 1;
                }
            }
            if complete != 1 || partial > 0 {
                let describe = |name: &str| {
                    self.properties
                        .iter()
                        .find(|p| p.name == name)
                        .map_or_else(|| name.to_owned(), Property::name_and_aliases)
                };
                problems.push(PropertyProblem::NoCompleteSet {
                    sets: self
                        .alternatives
                        .iter()
                        .map(|set| set.iter().map(|name| describe(name)).collect())
                        .collect(),
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CredentialsError::Properties {
                provider_type: provider_type.to_owned(),
                problems,
            })
        }
    }
}

/// The error for a value that breaks a rule. A hidden value is not shown, and wherever it
/// occurs in the message (Gardener masks the whole text) it reads `(hidden)`.
fn invalid_property(
    property: &Property,
    key: &str,
    value: &str,
    reason: String,
) -> CredentialsError {
    let name = nice_name(property, key);
    if !property.hidden {
        return CredentialsError::InvalidProperty {
            property: name,
            value: Some(value.to_owned()),
            reason,
        };
    }
    let shown = CredentialsError::InvalidProperty {
        property: name.clone(),
        value: None,
        reason,
    }
    .to_string();
    let masked_message = if value.is_empty() {
        shown
    } else {
        shown.replace(value, "(hidden)")
    };
    CredentialsError::InvalidHiddenProperty {
        property: name,
        masked_message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn not_bad(value: &str) -> Result<(), String> {
        if value == "bad" {
            Err("bad value".to_owned())
        } else {
            Ok(())
        }
    }

    fn echo(value: &str) -> Result<(), String> {
        Err(format!("invalid secret: {value}"))
    }

    fn region(value: &str) -> bool {
        value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }

    const BASE: [Property; 2] = [
        required("foo", &["bar"], &[Rule::Custom(not_bad)]),
        optional("baz", &[], &[]),
    ];

    fn check(properties: &'static [Property], pairs: &[(&str, &str)]) -> Result<(), String> {
        let checks = Checks {
            properties,
            alternatives: &[],
        };
        checks
            .validate("test", &props(pairs))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn required_optional_and_unknown() {
        assert_eq!(check(&BASE, &[("foo", "good")]), Ok(()));
        assert_eq!(
            check(&BASE, &[]),
            Err("validation failed for provider type test: property \"foo\" is required but not provided".into())
        );
        assert_eq!(
            check(&BASE, &[("foo", "")]),
            Err(
                "validation failed for provider type test: property \"foo\" is required but empty"
                    .into()
            )
        );
        assert_eq!(
            check(&BASE, &[("bar", "")]),
            Err("validation failed for provider type test: property \"bar (alias for foo)\" is required but empty".into())
        );
        assert_eq!(
            check(&BASE, &[("foo", "bad")]),
            Err("validation failed for property foo with value \"bad\": bad value".into())
        );
        assert_eq!(
            check(&BASE, &[("foo", "good"), ("unknown", "val"), ("baz", "")]),
            Err("validation failed for provider type test: property \"baz\" is empty (please set non-empty value or drop the property)\nproperty \"unknown\" is not allowed".into())
        );
    }

    #[test]
    fn a_broken_rule_drops_collected_problems() {
        const TABLE: [Property; 2] = [
            required("first", &[], &[]),
            required("second", &[], &[Rule::Custom(not_bad)]),
        ];
        assert_eq!(
            check(&TABLE, &[("second", "bad"), ("other", "x")]),
            Err("validation failed for property second with value \"bad\": bad value".into())
        );
    }

    #[test]
    fn aliases() {
        assert_eq!(check(&BASE, &[("bar", "good")]), Ok(()));
        assert_eq!(
            check(&BASE, &[("bar", "bad")]),
            Err(
                "validation failed for property bar (alias for foo) with value \"bad\": bad value"
                    .into()
            )
        );
        assert_eq!(
            check(&BASE, &[("foo", "good"), ("bar", "other")]),
            Err("validation failed for provider type test: property \"bar\" is defined multiple times by an alias of foo (aliases [bar])".into())
        );
        assert_eq!(check(&BASE, &[("foo", "good"), ("bar", "good")]), Ok(()));
        const MORE: [Property; 3] = [BASE[0], BASE[1], required("foo2", &["bar1", "bar2"], &[])];
        assert!(check(&MORE, &[("foo", "good"), ("bar1", "x1"), ("bar2", "x2")]).is_err());
        assert_eq!(
            check(
                &MORE,
                &[("foo", "good"), ("foo2", "x"), ("bar1", "x"), ("bar2", "x")]
            ),
            Ok(())
        );
        assert_eq!(
            check(&MORE, &[("foo", "good"), ("bar1", "x1"), ("bar2", "x2")]),
            Err("validation failed for provider type test: property \"bar2\" is defined multiple times by an alias of foo2 (aliases [bar1,bar2])".into())
        );
    }

    #[test]
    fn empty_values() {
        const REGION: [Property; 3] = [
            BASE[0],
            optional(
                "AWS_REGION",
                &[],
                &[
                    Rule::NoTrailingWhitespace,
                    Rule::MaxLength(32),
                    Rule::Pattern("^[a-z0-9-]*$", region),
                ],
            )
            .allow_empty(),
            optional("optprop", &[], &[Rule::NoTrailingWhitespace]),
        ];
        assert_eq!(
            check(&REGION, &[("foo", "good"), ("AWS_REGION", "")]),
            Ok(())
        );
        assert_eq!(
            check(&REGION, &[("foo", "good"), ("optprop", "")]),
            Err("validation failed for provider type test: property \"optprop\" is empty (please set non-empty value or drop the property)".into())
        );
    }

    #[test]
    fn hidden_values() {
        const SECRET: [Property; 2] = [
            BASE[0],
            optional("secret", &[], &[Rule::Custom(echo)]).hidden(),
        ];
        assert_eq!(
            check(&SECRET, &[("foo", "good"), ("secret", "topsecret")]),
            Err("validation failed for property secret: invalid secret: (hidden)".into())
        );
        assert_eq!(
            check(&SECRET, &[("foo", "good"), ("secret", "e")]),
            Err("validation fail(hidden)d for prop(hidden)rty s(hidden)cr(hidden)t: invalid s(hidden)cr(hidden)t: (hidden)".into())
        );
    }

    #[test]
    fn alternative_sets() {
        const TABLE: [Property; 5] = [
            BASE[0],
            optional("a", &["a-alias"], &[]),
            optional("b", &["b-alias"], &[]),
            optional("c", &[], &[]),
            optional("d", &[], &[]),
        ];
        let checks = Checks {
            properties: &TABLE,
            alternatives: &[&["a", "b"], &["c"], &["d"]],
        };
        let run = |pairs: &[(&str, &str)]| {
            checks
                .validate("test", &props(pairs))
                .map_err(|e| e.to_string())
        };
        let message = "validation failed for provider type test: at least one of the disjunct property sets must be fully provided: [a (aliases [a-alias]), b (aliases [b-alias])] or [c] or [d]";
        assert_eq!(run(&[("foo", "good")]), Err(message.into()));
        assert_eq!(
            run(&[("foo", "good"), ("a", "good"), ("b-alias", "good")]),
            Ok(())
        );
        assert_eq!(run(&[("foo", "good"), ("c", "good")]), Ok(()));
        assert_eq!(run(&[("foo", "good"), ("d", "good")]), Ok(()));
        assert_eq!(
            run(&[("foo", "good"), ("c", "good"), ("d", "good")]),
            Err(message.into())
        );
        assert_eq!(
            run(&[("foo", "good"), ("a-alias", "good"), ("c", "good")]),
            Err(message.into())
        );
        assert!(checks.is_set(&props(&[("b-alias", "x")]), "b"));
        assert!(checks.is_set(&props(&[("b-alias", "x")]), "b-alias"));
        assert!(!checks.is_set(&props(&[("b-alias", "x")]), "a"));
        assert!(!checks.is_set(&props(&[]), "zzz"));
    }
}
