//! The `quotes` section of a deal document: the state of each quote on the deal, as the relay
//! decided it.
//!
//! A quote changes only through [`Quote::decide`](crate::Quote::decide), arbitrated by the relay
//! in a storage transaction, so the document holds a copy for display and offline reading, never
//! the authority. The section is a map keyed by quote id; each quote is a small map **replaced
//! whole** by the relay after every decision (its parts only make sense together: a status
//! without the version and total it was decided on would mislead). The relay writes the state
//! it holds now, under a lock per deal, so writes never go backwards; an entry that a client
//! edited is overwritten by the relay's next write, since what the document says about a quote
//! is display, never authority.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use super::codec::format_date;
use super::error::DocError;
use crate::id::{QuoteId, UserId};
use crate::money::{Currency, Money};
use crate::quote::{Quote, QuoteStatus};
use crate::timestamp::Timestamp;

/// The key of the section in a deal document.
pub const QUOTES_KEY: &str = "quotes";

/// A quote as a deal document shows it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DealQuote {
    /// The quote.
    pub id: QuoteId,
    /// Its status when the relay last wrote it.
    pub status: QuoteStatus,
    /// Its version then (each decision adds one).
    pub version: u64,
    /// Who owns it.
    pub owner: UserId,
    /// Its total including tax, if it could be computed.
    pub total: Option<Money>,
    /// The approval level it waits for, while pending.
    pub required_level: Option<u8>,
    /// Who approved or rejected it, if anyone has.
    pub decided_by: Option<UserId>,
    /// When the last decision was made.
    pub updated_at: Timestamp,
}

/// Writes `quote` into the deal document's `quotes` section, replacing its entry whole unless
/// the entry already shows this version in this status. Returns whether anything was written.
///
/// ```
/// use automerge::{AutoCommit, ROOT, transaction::Transactable};
/// use dealflow_core::{
///     Currency, DealId, NewQuote, Quote, QuoteId, QuoteStatus, TaxBasis, Timestamp, UserId,
///     deal_quotes, write_deal_quote,
/// };
/// let mut doc = AutoCommit::new();
/// doc.put(ROOT, "type", "deal")?;
/// let quote = Quote::new(
///     NewQuote {
///         id: QuoteId::new("q-1")?,
///         deal: DealId::new("deal-1")?,
///         owner: UserId::new("li")?,
///         currency: Currency::CNY,
///         valid_until: time::macros::date!(2026 - 03 - 31),
///         tax_basis: TaxBasis::Exclusive,
///     },
///     Timestamp::from_millis(0),
/// );
/// assert!(write_deal_quote(&mut doc, &quote)?);
/// assert!(!write_deal_quote(&mut doc, &quote)?, "the same version twice writes nothing");
/// let quotes = deal_quotes(&doc);
/// assert_eq!(quotes[0].status, QuoteStatus::Draft);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_deal_quote(tx: &mut impl Transactable, quote: &Quote) -> Result<bool, DocError> {
    let section = match tx.get(ROOT, QUOTES_KEY) {
        Ok(Some((Value::Object(ObjType::Map), id))) => id,
        Ok(_) => put_map(tx, &ROOT, QUOTES_KEY)?,
        Err(error) => return Err(DocError::write(&error)),
    };
    if let Ok(Some((Value::Object(ObjType::Map), entry))) = tx.get(&section, quote.id.as_str())
        && uint(tx, &entry, "version") == Some(quote.version)
        && string(tx, &entry, "status").as_deref() == Some(status_name(quote.status))
    {
        return Ok(false);
    }
    let entry = put_map(tx, &section, quote.id.as_str())?;
    let mut put = |key: &str, value: ScalarValue| {
        tx.put(&entry, key, value)
            .map_err(|error| DocError::write(&error))
    };
    put("id", ScalarValue::Str(quote.id.as_str().into()))?;
    put("status", ScalarValue::Str(status_name(quote.status).into()))?;
    put("version", ScalarValue::Uint(quote.version))?;
    put("owner", ScalarValue::Str(quote.owner.as_str().into()))?;
    put("revision", ScalarValue::Uint(u64::from(quote.revision)))?;
    put("currency", ScalarValue::Str(quote.currency.code().into()))?;
    put(
        "validUntil",
        ScalarValue::Str(format_date(quote.valid_until).into()),
    )?;
    put(
        "discount",
        ScalarValue::Uint(u64::from(quote.discount.basis_points())),
    )?;
    put(
        "requiredLevel",
        quote.required_level.map_or(ScalarValue::Null, |level| {
            ScalarValue::Uint(u64::from(level))
        }),
    )?;
    put(
        "decidedBy",
        quote
            .decision
            .as_ref()
            .map_or(ScalarValue::Null, |decision| {
                ScalarValue::Str(decision.by.as_str().into())
            }),
    )?;
    let updated_at = quote.events.last().map_or(0, |event| event.at.millis());
    put("updatedAt", ScalarValue::Timestamp(updated_at))?;
    match quote.totals() {
        Ok(totals) => {
            let total = put_map(tx, &entry, "total")?;
            tx.put(&total, "minor", totals.total.minor())
                .map_err(|error| DocError::write(&error))?;
            tx.put(&total, "currency", totals.total.currency().code())
                .map_err(|error| DocError::write(&error))?;
        }
        Err(_) => tx
            .put(&entry, "total", ScalarValue::Null)
            .map_err(|error| DocError::write(&error))?,
    }
    Ok(true)
}

/// The quotes a deal document shows, sorted by id. Entries that cannot be read (written by a
/// misbehaving client) are left out rather than failing the deal.
pub fn deal_quotes(doc: &impl ReadDoc) -> Vec<DealQuote> {
    let Ok(Some((Value::Object(ObjType::Map), section))) = doc.get(ROOT, QUOTES_KEY) else {
        return Vec::new();
    };
    let mut quotes: Vec<DealQuote> = doc
        .keys(&section)
        .filter_map(|key| {
            let Ok(Some((Value::Object(ObjType::Map), entry))) = doc.get(&section, &key) else {
                return None;
            };
            read_quote(doc, &entry)
        })
        .collect();
    quotes.sort_by(|a, b| a.id.cmp(&b.id));
    quotes
}

fn read_quote(doc: &impl ReadDoc, entry: &ObjId) -> Option<DealQuote> {
    let total = match doc.get(entry, "total") {
        Ok(Some((Value::Object(ObjType::Map), total))) => {
            let minor = match doc.get(&total, "minor") {
                Ok(Some((Value::Scalar(value), _))) => match value.as_ref() {
                    ScalarValue::Int(minor) => Some(*minor),
                    ScalarValue::Uint(minor) => i64::try_from(*minor).ok(),
                    _ => None,
                },
                _ => None,
            };
            let currency = string(doc, &total, "currency").and_then(|code| code.parse().ok());
            minor
                .zip(currency)
                .map(|(minor, currency): (i64, Currency)| Money::new(minor, currency))
        }
        _ => None,
    };
    let updated_at = match doc.get(entry, "updatedAt") {
        Ok(Some((Value::Scalar(value), _))) => match value.as_ref() {
            ScalarValue::Timestamp(millis) | ScalarValue::Int(millis) => *millis,
            _ => 0,
        },
        _ => 0,
    };
    Some(DealQuote {
        id: QuoteId::new(string(doc, entry, "id")?).ok()?,
        status: parse_status(&string(doc, entry, "status")?)?,
        version: uint(doc, entry, "version")?,
        owner: UserId::new(string(doc, entry, "owner")?).ok()?,
        total,
        required_level: uint(doc, entry, "requiredLevel")
            .and_then(|level| u8::try_from(level).ok()),
        decided_by: string(doc, entry, "decidedBy").and_then(|user| UserId::new(user).ok()),
        updated_at: Timestamp::from_millis(updated_at),
    })
}

fn put_map(tx: &mut impl Transactable, obj: &ObjId, key: &str) -> Result<ObjId, DocError> {
    tx.put_object(obj, key, ObjType::Map)
        .map_err(|error| DocError::write(&error))
}

pub(super) fn string(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<String> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(value), _))) => value.as_str().map(str::to_owned),
        _ => None,
    }
}

pub(super) fn uint(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<u64> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(value), _))) => match value.as_ref() {
            ScalarValue::Uint(number) => Some(*number),
            ScalarValue::Int(number) => u64::try_from(*number).ok(),
            _ => None,
        },
        _ => None,
    }
}

/// The stored name of a status: its snake_case serde name.
fn status_name(status: QuoteStatus) -> &'static str {
    match status {
        QuoteStatus::Draft => "draft",
        QuoteStatus::PendingApproval => "pending_approval",
        QuoteStatus::Approved => "approved",
        QuoteStatus::Rejected => "rejected",
        QuoteStatus::Sent => "sent",
        QuoteStatus::Accepted => "accepted",
        QuoteStatus::Expired => "expired",
        QuoteStatus::Superseded => "superseded",
    }
}

fn parse_status(name: &str) -> Option<QuoteStatus> {
    Some(match name {
        "draft" => QuoteStatus::Draft,
        "pending_approval" => QuoteStatus::PendingApproval,
        "approved" => QuoteStatus::Approved,
        "rejected" => QuoteStatus::Rejected,
        "sent" => QuoteStatus::Sent,
        "accepted" => QuoteStatus::Accepted,
        "expired" => QuoteStatus::Expired,
        "superseded" => QuoteStatus::Superseded,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use automerge::AutoCommit;

    use super::*;

    #[test]
    fn status_names_are_the_serde_names() {
        for status in [
            QuoteStatus::Draft,
            QuoteStatus::PendingApproval,
            QuoteStatus::Approved,
            QuoteStatus::Rejected,
            QuoteStatus::Sent,
            QuoteStatus::Accepted,
            QuoteStatus::Expired,
            QuoteStatus::Superseded,
        ] {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::from(status_name(status))
            );
            assert_eq!(parse_status(status_name(status)), Some(status));
        }
    }

    #[test]
    fn the_relay_state_replaces_whatever_the_entry_says() {
        let mut doc = AutoCommit::new();
        let mut quote = Quote::new(
            crate::quote::NewQuote {
                id: QuoteId::new("q-1").unwrap(),
                deal: crate::id::DealId::new("deal-1").unwrap(),
                owner: UserId::new("li").unwrap(),
                currency: Currency::CNY,
                valid_until: time::macros::date!(2026 - 03 - 31),
                tax_basis: crate::quote::TaxBasis::Exclusive,
            },
            Timestamp::from_millis(0),
        );
        // A client forges an approved entry at a high version; the relay's write replaces it.
        let mut forged = quote.clone();
        forged.version = 999;
        forged.status = QuoteStatus::Approved;
        assert!(write_deal_quote(&mut doc, &forged).unwrap());
        quote.version += 1;
        quote.status = QuoteStatus::PendingApproval;
        assert!(write_deal_quote(&mut doc, &quote).unwrap());
        assert!(!write_deal_quote(&mut doc, &quote).unwrap());
        let read = deal_quotes(&doc);
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].status, QuoteStatus::PendingApproval);
        assert_eq!(read[0].version, quote.version);
        assert_eq!(read[0].total, Some(Money::zero(Currency::CNY)));
    }

    #[test]
    fn unreadable_entries_are_left_out() {
        let mut doc = AutoCommit::new();
        let section = doc.put_object(ROOT, QUOTES_KEY, ObjType::Map).unwrap();
        doc.put(&section, "q-x", "not a map").unwrap();
        let entry = doc.put_object(&section, "q-y", ObjType::Map).unwrap();
        doc.put(&entry, "status", 42_i64).unwrap();
        assert!(deal_quotes(&doc).is_empty());
    }
}
