//! Tests of admission: decoding, validation and mutation of a Shoot's shoot-dns-service
//! config, against the conformance cases of docs/extension.md §6.

mod decode;
mod fake;
mod mutate;
mod props;
mod validate;
mod validate_rules;
mod validator;
