//! Flags for the relay's arbitration of lead pools and quotes.

use dealflow_core::{ApprovalPolicy, ApprovalThreshold, Discount};

/// Lead-pool and quote-approval settings.
#[derive(Clone, PartialEq, Eq, Debug, clap::Args)]
pub struct ArbitrationConfig {
    /// Most leads a rep may hold from one pool without having followed them up (each team has a
    /// pool, `pool-<team>`).
    #[arg(long, env = "DEALFLOW_POOL_CLAIM_LIMIT", default_value_t = 20)]
    pub pool_claim_limit: u32,
    /// The quote approval policy: comma-separated `<discount basis points>:<level>` thresholds,
    /// e.g. `1000:1,2000:2` (above 10 % a manager, above 20 % an admin). Managers approve at
    /// level 1, admins at level 2.
    #[arg(
        long,
        env = "DEALFLOW_QUOTE_APPROVAL",
        default_value = "1000:1,2000:2",
        value_parser = parse_policy
    )]
    pub quote_approval: ApprovalPolicy,
    /// The organisation's offset from UTC in hours, for quote validity dates (China: 8).
    #[arg(long, env = "DEALFLOW_UTC_OFFSET_HOURS", default_value_t = 8, allow_hyphen_values = true,
          value_parser = clap::value_parser!(i8).range(-12..=14))]
    pub utc_offset_hours: i8,
}

/// Parses `1000:1,2000:2` into a valid policy.
fn parse_policy(text: &str) -> Result<ApprovalPolicy, String> {
    let mut thresholds = Vec::new();
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let (above, level) = part
            .split_once(':')
            .ok_or_else(|| format!("{part:?} is not <basis points>:<level>"))?;
        let above: u16 = above
            .trim()
            .parse()
            .map_err(|error| format!("{above:?}: {error}"))?;
        let level: u8 = level
            .trim()
            .parse()
            .map_err(|error| format!("{level:?}: {error}"))?;
        let above = Discount::from_basis_points(above).map_err(|error| error.to_string())?;
        thresholds.push(ApprovalThreshold { above, level });
    }
    let policy = ApprovalPolicy { thresholds };
    policy.validate().map_err(|error| error.to_string())?;
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_parse_and_are_validated() {
        let policy = parse_policy("1000:1, 2000:2").unwrap();
        assert_eq!(policy.thresholds.len(), 2);
        assert_eq!(policy.thresholds[1].level, 2);
        assert!(parse_policy("").unwrap().thresholds.is_empty());
        assert!(parse_policy("2000:2,1000:1").is_err(), "not ascending");
        assert!(parse_policy("1000").is_err());
        assert!(parse_policy("x:1").is_err());
        assert!(parse_policy("1000:0").is_err(), "level zero");
    }
}
