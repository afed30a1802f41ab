//! AWS Route 53 (feature `aws-route53`): the hosted zones of an account, their record sets,
//! and changes in batches (docs/entries-and-providers.md §5.11, §6.3).

pub mod model;
