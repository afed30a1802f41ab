//! [`Ttl`]: a record's time to live.

use std::fmt;

/// A TTL in seconds within the range the DNSEntry CRD allows (1 to 8,640,000, i.e. 100 days).
///
/// ```
/// use shoot_dns::Ttl;
///
/// assert_eq!(Ttl::new(600)?.seconds(), 600);
/// assert!(Ttl::new(0).is_err());
/// # Ok::<(), shoot_dns::TtlError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Ttl(u32);

impl Ttl {
    /// The smallest TTL.
    pub const MIN: i64 = 1;
    /// The largest TTL (100 days).
    pub const MAX: i64 = 8_640_000;

    /// A TTL of `seconds`, if in range.
    pub fn new(seconds: i64) -> Result<Self, TtlError> {
        if (Self::MIN..=Self::MAX).contains(&seconds) {
            Ok(Self(seconds as u32))
        } else {
            Err(TtlError { seconds })
        }
    }

    /// The TTL in seconds.
    pub fn seconds(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Ttl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl TryFrom<i64> for Ttl {
    type Error = TtlError;

    fn try_from(seconds: i64) -> Result<Self, Self::Error> {
        Self::new(seconds)
    }
}

/// A TTL out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("TTL {seconds} is out of range: it must be between 1 and 8640000 seconds")]
#[non_exhaustive]
pub struct TtlError {
    /// The value given.
    pub seconds: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range() {
        assert_eq!(Ttl::new(1).map(Ttl::seconds), Ok(1));
        assert_eq!(Ttl::new(8_640_000).map(Ttl::seconds), Ok(8_640_000));
        assert!(Ttl::new(0).is_err());
        assert!(Ttl::new(-5).is_err());
        assert_eq!(
            Ttl::new(8_640_001).unwrap_err().to_string(),
            "TTL 8640001 is out of range: it must be between 1 and 8640000 seconds"
        );
    }
}
