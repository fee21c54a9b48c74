//! Converting a qualified lead into an account, a contact and a deal.
//!
//! The output is plain data for the deal model to take in; it keeps the lead's source channel
//! and campaign so conversion rates can be reported by source.

use serde::{Deserialize, Serialize};

use crate::id::{AccountId, ChannelId, ContactId, DealId, LeadId, PipelineId, StageId, UserId};
use crate::lead::error::LeadError;
use crate::lead::record::{Lead, LeadStatus};
use crate::money::Money;
use crate::pipeline::Pipeline;
use crate::timestamp::Timestamp;

/// Whether the lead founds a new account or joins an existing one (e.g. after a duplicate
/// check found the company).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum AccountChoice {
    /// Create an account with this id from the lead's company.
    New(AccountId),
    /// Attach to this existing account.
    Existing(AccountId),
}

/// What the user chose in the conversion dialog.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ConversionRequest {
    /// New or existing account.
    pub account: AccountChoice,
    /// Id of the new contact.
    pub contact: ContactId,
    /// Id of the new deal.
    pub deal: DealId,
    /// Stage of the new deal; the pipeline's first stage if `None`.
    #[serde(default)]
    pub stage: Option<StageId>,
    /// Deal title; "company · product" if `None`.
    #[serde(default)]
    pub title: Option<String>,
    /// Estimated amount, if known.
    #[serde(default)]
    pub amount: Option<Money>,
    /// Deal owner; the lead's owner if `None`.
    #[serde(default)]
    pub owner: Option<UserId>,
}

/// The account side of a conversion.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ConvertedAccount {
    /// The account.
    pub id: AccountId,
    /// Whether it is to be created (`false`: the lead joined an existing account, and the fields
    /// below are only suggestions).
    pub is_new: bool,
    /// Company name from the lead.
    pub name: String,
    /// Region from the lead.
    pub region: Option<String>,
    /// Industry from the lead.
    pub industry: Option<String>,
    /// Owner of a new account: the deal owner.
    pub owner: UserId,
}

/// The contact created from the lead.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ConvertedContact {
    /// The contact.
    pub id: ContactId,
    /// Their account.
    pub account: AccountId,
    /// Name.
    pub name: String,
    /// Normalised phone.
    pub phone: Option<String>,
    /// Normalised email.
    pub email: Option<String>,
}

/// The deal created from the lead.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ConvertedDeal {
    /// The deal.
    pub id: DealId,
    /// Title.
    pub title: String,
    /// Estimated amount.
    pub amount: Option<Money>,
    /// Pipeline.
    pub pipeline: PipelineId,
    /// Stage, validated against the pipeline.
    pub stage: StageId,
    /// The lead's source channel, kept for conversion-by-source reports.
    pub source: ChannelId,
    /// The lead's campaign.
    pub campaign: Option<String>,
    /// Product of interest.
    pub product_interest: Option<String>,
    /// The lead it came from.
    pub lead: LeadId,
    /// Owner.
    pub owner: UserId,
    /// Account.
    pub account: AccountId,
    /// Primary contact.
    pub contact: ContactId,
    /// The lead's notes, carried over.
    pub notes: String,
    /// When the lead was created, for lead-to-deal cycle times.
    pub lead_created_at: Timestamp,
    /// When it was converted.
    pub created_at: Timestamp,
}

/// The records a conversion creates.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LeadConversion {
    /// Account.
    pub account: ConvertedAccount,
    /// Contact.
    pub contact: ConvertedContact,
    /// Deal.
    pub deal: ConvertedDeal,
}

const MAX_TITLE_CHARS: usize = 200;

/// Converts an open lead into an account, a contact and a deal in `pipeline`. Returns the lead
/// marked converted (version incremented) and the new records.
///
/// ```
/// use dealflow_core::{
///     convert_lead, AccountChoice, AccountId, ChannelId, ContactId, ConversionRequest, Custody,
///     DealId, Lead, LeadDraft, LeadId, Pipeline, Timestamp, UserId,
/// };
/// let mut lead = Lead::new(
///     LeadId::new("l-1")?,
///     LeadDraft { contact_name: "张伟".into(), company: "上海示例科技有限公司".into(), ..Default::default() },
///     ChannelId::new("trade_show")?,
///     Timestamp::from_millis(0),
/// );
/// lead.custody = Custody::Owned { owner: UserId::new("li")?, since: Timestamp::from_millis(0) };
/// let request = ConversionRequest {
///     account: AccountChoice::New(AccountId::new("acc-1")?),
///     contact: ContactId::new("c-1")?,
///     deal: DealId::new("d-1")?,
///     stage: None,
///     title: None,
///     amount: None,
///     owner: None,
/// };
/// let pipeline = Pipeline::template_new_business();
/// let (lead, conversion) = convert_lead(&lead, &pipeline, request, Timestamp::from_millis(9))?;
/// assert_eq!(conversion.deal.source.as_str(), "trade_show");
/// assert_eq!(conversion.deal.stage.as_str(), "qualify");
/// assert_eq!(conversion.deal.title, "上海示例科技有限公司");
/// assert!(!lead.status.is_open());
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn convert_lead(
    lead: &Lead,
    pipeline: &Pipeline,
    request: ConversionRequest,
    now: Timestamp,
) -> Result<(Lead, LeadConversion), LeadError> {
    lead.ensure_open()?;
    let owner = request
        .owner
        .or_else(|| lead.owner().cloned())
        .ok_or_else(|| LeadError::NotOwned {
            lead: lead.id.clone(),
        })?;
    let stage = match request.stage {
        Some(stage) => pipeline.stage(&stage)?.id.clone(),
        None => pipeline
            .stages
            .first()
            .map(|stage| stage.id.clone())
            .ok_or_else(|| LeadError::EmptyPipeline {
                pipeline: pipeline.id.clone(),
            })?,
    };
    let title = match request.title {
        Some(title) => title.trim().to_owned(),
        None => match &lead.product_interest {
            Some(product) => format!("{} · {product}", lead.company.trim()),
            None => lead.company.trim().to_owned(),
        },
    };
    let title_chars = title.chars().count();
    if title_chars == 0 || title_chars > MAX_TITLE_CHARS {
        return Err(LeadError::InvalidTitle);
    }
    let (account_id, is_new) = match request.account {
        AccountChoice::New(id) => (id, true),
        AccountChoice::Existing(id) => (id, false),
    };

    let conversion = LeadConversion {
        account: ConvertedAccount {
            id: account_id.clone(),
            is_new,
            name: lead.company.clone(),
            region: lead.region.clone(),
            industry: lead.industry.clone(),
            owner: owner.clone(),
        },
        contact: ConvertedContact {
            id: request.contact.clone(),
            account: account_id.clone(),
            name: lead.contact_name.clone(),
            phone: lead.phone.clone(),
            email: lead.email.clone(),
        },
        deal: ConvertedDeal {
            id: request.deal.clone(),
            title,
            amount: request.amount,
            pipeline: pipeline.id.clone(),
            stage,
            source: lead.source.clone(),
            campaign: lead.campaign.clone(),
            product_interest: lead.product_interest.clone(),
            lead: lead.id.clone(),
            owner,
            account: account_id.clone(),
            contact: request.contact.clone(),
            notes: lead.notes.clone(),
            lead_created_at: lead.created_at,
            created_at: now,
        },
    };
    let mut converted = lead.clone();
    converted.status = LeadStatus::Converted {
        account: account_id,
        contact: request.contact,
        deal: request.deal,
        at: now,
    };
    converted.version = lead.version.wrapping_add(1);
    Ok((converted, conversion))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::record::{Custody, LeadDraft};
    use crate::pipeline::PipelineError;

    fn owned_lead() -> Lead {
        let mut lead = Lead::new(
            LeadId::new("l").unwrap(),
            LeadDraft {
                contact_name: "n".into(),
                company: "Acme".into(),
                product_interest: Some("CRM".into()),
                ..LeadDraft::default()
            },
            ChannelId::new("referral").unwrap(),
            Timestamp::from_millis(0),
        );
        lead.custody = Custody::Owned {
            owner: UserId::new("u").unwrap(),
            since: Timestamp::from_millis(0),
        };
        lead
    }

    fn request() -> ConversionRequest {
        ConversionRequest {
            account: AccountChoice::Existing(AccountId::new("a").unwrap()),
            contact: ContactId::new("c").unwrap(),
            deal: DealId::new("d").unwrap(),
            stage: Some(StageId::new("demo").unwrap()),
            title: None,
            amount: None,
            owner: None,
        }
    }

    #[test]
    fn converts_once_with_validated_stage() {
        let pipeline = Pipeline::template_new_business();
        let now = Timestamp::from_millis(5);
        let (converted, conversion) =
            convert_lead(&owned_lead(), &pipeline, request(), now).unwrap();
        assert_eq!(conversion.deal.title, "Acme · CRM");
        assert!(!conversion.account.is_new);
        assert_eq!(converted.version, 1);
        assert!(matches!(
            convert_lead(&converted, &pipeline, request(), now),
            Err(LeadError::Closed { .. })
        ));
        let mut bad_stage = request();
        bad_stage.stage = Some(StageId::new("nope").unwrap());
        assert!(matches!(
            convert_lead(&owned_lead(), &pipeline, bad_stage, now),
            Err(LeadError::Pipeline(PipelineError::UnknownStage { .. }))
        ));
        let mut unowned = owned_lead();
        unowned.custody = Custody::Unassigned;
        assert!(matches!(
            convert_lead(&unowned, &pipeline, request(), now),
            Err(LeadError::NotOwned { .. })
        ));
    }
}
