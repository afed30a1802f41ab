//! An object getter that records its reads, and the options of the spec's admission cases.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::Secret;
use crate::extension::shoot::WorkloadIdentity;
use crate::extension::validate::ObjectGetter;

/// Secrets (as plain properties), getter failures and WorkloadIdentities by name; every read
/// is recorded.
#[derive(Default)]
pub(super) struct FakeObjects {
    pub secrets: BTreeMap<String, BTreeMap<String, String>>,
    pub raw_secrets: BTreeMap<String, Secret>,
    pub secret_errors: BTreeMap<String, String>,
    pub identities: BTreeMap<String, WorkloadIdentity>,
    pub reads: RefCell<Vec<String>>,
}

impl FakeObjects {
    pub fn with_secret(mut self, name: &str, properties: &[(&str, &str)]) -> Self {
        let properties = properties
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.secrets.insert(name.to_owned(), properties);
        self
    }

    pub fn with_identity(mut self, name: &str, spec: Value) -> Self {
        let identity = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": "test"},
            "spec": spec,
        }))
        .expect("a WorkloadIdentity");
        self.identities.insert(name.to_owned(), identity);
        self
    }

    pub fn reads(&self) -> Vec<String> {
        self.reads.borrow().clone()
    }
}

impl ObjectGetter for FakeObjects {
    fn secret(&self, name: &str) -> Result<Option<Secret>, String> {
        self.reads.borrow_mut().push(format!("secret/{name}"));
        if let Some(error) = self.secret_errors.get(name) {
            return Err(error.clone());
        }
        if let Some(secret) = self.raw_secrets.get(name) {
            return Ok(Some(secret.clone()));
        }
        Ok(self.secrets.get(name).map(|properties| Secret {
            string_data: properties.clone(),
            ..Secret::default()
        }))
    }

    fn workload_identity(&self, name: &str) -> Result<Option<WorkloadIdentity>, String> {
        self.reads
            .borrow_mut()
            .push(format!("workloadidentity/{name}"));
        Ok(self.identities.get(name).cloned())
    }
}

/// `spec.extensions.[@.type='shoot-dns-service'].providerConfig[<index>]<suffix>`.
pub(super) fn path(index: usize, suffix: &str) -> String {
    format!("spec.extensions.[@.type='shoot-dns-service'].providerConfig[{index}]{suffix}")
}
