//! Kubernetes field errors (`k8s.io/apimachinery/pkg/util/validation/field`): the type, the
//! field path, the bad value and the detail, rendered as Kubernetes renders them.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kind of a field error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FieldErrorType {
    /// `FieldValueRequired`: `Required value`.
    #[serde(rename = "FieldValueRequired")]
    Required,
    /// `FieldValueInvalid`: `Invalid value`.
    #[serde(rename = "FieldValueInvalid")]
    Invalid,
    /// `FieldValueNotSupported`: `Unsupported value`.
    #[serde(rename = "FieldValueNotSupported")]
    NotSupported,
    /// `FieldValueForbidden`: `Forbidden`.
    #[serde(rename = "FieldValueForbidden")]
    Forbidden,
    /// `FieldValueDuplicate`: `Duplicate value`.
    #[serde(rename = "FieldValueDuplicate")]
    Duplicate,
    /// `FieldValueNotFound`: `Not found`.
    #[serde(rename = "FieldValueNotFound")]
    NotFound,
    /// `FieldValueTooLong`: `Too long`.
    #[serde(rename = "FieldValueTooLong")]
    TooLong,
    /// `InternalError`: `Internal error`.
    #[serde(rename = "InternalError")]
    Internal,
}

impl FieldErrorType {
    /// The text Kubernetes shows for the type, e.g. `Invalid value`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "Required value",
            Self::Invalid => "Invalid value",
            Self::NotSupported => "Unsupported value",
            Self::Forbidden => "Forbidden",
            Self::Duplicate => "Duplicate value",
            Self::NotFound => "Not found",
            Self::TooLong => "Too long",
            Self::Internal => "Internal error",
        }
    }
}

/// One field error.
///
/// ```
/// use shoot_dns::extension::field::FieldError;
///
/// let e = FieldError::invalid("spec.x", "a\"b", "must be short");
/// assert_eq!(e.to_string(), r#"spec.x: Invalid value: "a\"b": must be short"#);
/// assert_eq!(FieldError::required("spec.y", "y is required").to_string(), "spec.y: Required value: y is required");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The kind of error.
    #[serde(rename = "type")]
    pub error_type: FieldErrorType,
    /// The field path, e.g. `spec.extensions.[@.type='shoot-dns-service'].providerConfig[0].type`.
    pub field: String,
    /// The value that is wrong (`None`: not shown, as for `Required` and `Forbidden`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad_value: Option<Value>,
    /// What is wrong.
    pub detail: String,
}

impl FieldError {
    /// A `Required value` error.
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorType::Required, field, None, detail)
    }

    /// An `Invalid value` error with a string bad value.
    pub fn invalid(field: impl Into<String>, value: &str, detail: impl Into<String>) -> Self {
        Self::new(
            FieldErrorType::Invalid,
            field,
            Some(Value::String(value.to_owned())),
            detail,
        )
    }

    /// A `Forbidden` error.
    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorType::Forbidden, field, None, detail)
    }

    /// An error of any type.
    pub fn new(
        error_type: FieldErrorType,
        field: impl Into<String>,
        bad_value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            error_type,
            field: field.into(),
            bad_value,
            detail: detail.into(),
        }
    }

    /// The message without the field: `<Type>[: <value>][: <detail>]`.
    pub fn body(&self) -> String {
        let kind = self.error_type.as_str();
        let mut body = match (&self.error_type, &self.bad_value) {
            (
                FieldErrorType::Required
                | FieldErrorType::Forbidden
                | FieldErrorType::TooLong
                | FieldErrorType::Internal,
                _,
            )
            | (_, None) => kind.to_owned(),
            (_, Some(Value::String(s))) => format!("{kind}: {}", crate::quote::go_quote(s)),
            (_, Some(Value::Null)) => format!("{kind}: null"),
            (_, Some(value)) => format!("{kind}: {value}"),
        };
        if !self.detail.is_empty() {
            body.push_str(": ");
            body.push_str(&self.detail);
        }
        body
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// Several field errors as Kubernetes aggregates them: one error is its message; several are
/// `[e1, e2, ...]` without repeated messages.
pub fn aggregate(errors: &[FieldError]) -> String {
    let mut messages: Vec<String> = Vec::new();
    for error in errors {
        let message = error.to_string();
        if !messages.contains(&message) {
            messages.push(message);
        }
    }
    match messages.len() {
        1 => messages.remove(0),
        _ => format!("[{}]", messages.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_kubernetes() {
        let e = FieldError::required("p.type", "provider type is required");
        assert_eq!(
            e.to_string(),
            "p.type: Required value: provider type is required"
        );
        let e = FieldError::invalid(
            "p.secretName",
            "",
            "either secretName or credentials must be provided",
        );
        assert_eq!(
            e.to_string(),
            "p.secretName: Invalid value: \"\": either secretName or credentials must be provided"
        );
        let e = FieldError::forbidden("p.x", "contains extra fields");
        assert_eq!(e.to_string(), "p.x: Forbidden: contains extra fields");
        let e = FieldError::new(
            FieldErrorType::Invalid,
            "p.n",
            Some(Value::from(3)),
            "too small",
        );
        assert_eq!(e.to_string(), "p.n: Invalid value: 3: too small");
        let e = FieldError::new(
            FieldErrorType::Invalid,
            "p.t",
            Some(Value::Null),
            "should be string",
        );
        assert_eq!(e.to_string(), "p.t: Invalid value: null: should be string");
    }

    #[test]
    fn aggregates_like_kubernetes() {
        let a = FieldError::required("a", "x");
        let b = FieldError::required("b", "y");
        assert_eq!(aggregate(std::slice::from_ref(&a)), "a: Required value: x");
        assert_eq!(
            aggregate(&[a.clone(), b, a]),
            "[a: Required value: x, b: Required value: y]"
        );
    }

    #[test]
    fn serialises_as_the_contract_says() {
        let e = FieldError::invalid("f", "v", "d");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"type": "FieldValueInvalid", "field": "f", "badValue": "v", "detail": "d"})
        );
    }
}
