//! Quotes (报价单): lines, totals, approval commands and their events.

use dealflow_core as domain;
use serde::Serialize;
use tsify::Tsify;

use wasm_bindgen::JsValue;

use super::common::{LocalizedText, Money, discount, id, opt_id};
use crate::convert::{Fields, FromJs, iso_date};
use crate::error::{Failure, JsResult};

mirror_enum! {
    /// Where a quote is in its life.
    QuoteStatus = QuoteStatus {
        /// Being written (草稿).
        Draft = "draft",
        /// Waiting for approval (待审批).
        PendingApproval = "pending_approval",
        /// Approved, or needing no approval (已批准).
        Approved = "approved",
        /// Rejected by the approver (已驳回).
        Rejected = "rejected",
        /// Sent to the customer (已发送).
        Sent = "sent",
        /// Accepted by the customer (客户已接受).
        Accepted = "accepted",
        /// Past its validity date without acceptance (已过期).
        Expired = "expired",
        /// Replaced by a newer revision (已被新版本替代).
        Superseded = "superseded",
    }
}

mirror_enum! {
    /// Whether the prices on a quote include tax.
    TaxBasis = TaxBasis {
        /// Prices are before tax (不含税).
        Exclusive = "exclusive",
        /// Prices include tax (含税价).
        Inclusive = "inclusive",
    }
}

mirror_enum! {
    /// How an approval ended.
    ApprovalOutcome = ApprovalOutcome {
        /// Approved (审批通过).
        Approved = "approved",
        /// Rejected (驳回).
        Rejected = "rejected",
    }
}

fn tax_rate(basis_points: u16) -> Result<domain::TaxRate, domain::QuoteError> {
    domain::TaxRate::from_basis_points(basis_points)
}

/// Units `first..=last` of a graduated line at `unitPrice`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct PriceBand {
    /// First unit (1-based).
    pub first: i64,
    /// Last unit (inclusive).
    pub last: i64,
    /// Price of each unit in the band.
    pub unit_price: Money,
    /// The band's amount.
    pub amount: Money,
}

/// What a promotion gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PromotionOffer {
    /// A percentage off the list price.
    #[serde(rename_all = "camelCase")]
    PercentOff {
        /// The discount in basis points.
        discount_bp: u16,
    },
    /// A fixed promotional unit price.
    UnitPrice {
        /// The price of one unit.
        price: Money,
    },
}

/// The pricing rule that produced a catalogue line amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PriceRule {
    /// The list price (for a bundle: the bundle price).
    ListPrice,
    /// Graduated tiers: each band of units at its own price.
    Graduated {
        /// The bands the quantity covers, in order.
        bands: Vec<PriceBand>,
    },
    /// All-units tier: every unit at the price of the tier reached.
    #[serde(rename_all = "camelCase")]
    AllUnits {
        /// The tier's first quantity.
        min_quantity: i64,
        /// The tier's unit price.
        unit_price: Money,
    },
    /// A promotion.
    Promotion {
        /// The promotion.
        promotion: String,
        /// Its name.
        name: LocalizedText,
        /// What it gave.
        offer: PromotionOffer,
    },
}

/// A line priced from the catalogue: a snapshot, so the quote does not change with the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct PricedLine {
    /// The product.
    pub product: String,
    /// Units priced.
    pub quantity: i64,
    /// The date the price was taken on.
    #[tsify(type = "IsoDate")]
    #[serde(serialize_with = "iso_date")]
    pub on: time::Date,
    /// List price × quantity.
    pub list_amount: Money,
    /// The line amount: authoritative.
    pub amount: Money,
    /// `amount / quantity`, for display.
    pub unit_price: Money,
    /// Which rule set the amount.
    pub rule: PriceRule,
    /// For a bundle: what its components would cost bought separately.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle_parts_amount: Option<Money>,
}

impl From<domain::PricedLine> for PricedLine {
    fn from(line: domain::PricedLine) -> Self {
        let rule = match line.rule {
            domain::PriceRule::ListPrice => PriceRule::ListPrice,
            domain::PriceRule::Graduated { bands } => PriceRule::Graduated {
                bands: bands
                    .into_iter()
                    .map(|band| PriceBand {
                        first: band.first,
                        last: band.last,
                        unit_price: band.unit_price.into(),
                        amount: band.amount.into(),
                    })
                    .collect(),
            },
            domain::PriceRule::AllUnits {
                min_quantity,
                unit_price,
            } => PriceRule::AllUnits {
                min_quantity,
                unit_price: unit_price.into(),
            },
            domain::PriceRule::Promotion {
                promotion,
                name,
                offer,
            } => PriceRule::Promotion {
                promotion: promotion.into(),
                name: name.into(),
                offer: match offer {
                    domain::PromotionOffer::PercentOff { discount } => PromotionOffer::PercentOff {
                        discount_bp: discount.basis_points(),
                    },
                    domain::PromotionOffer::UnitPrice { price } => PromotionOffer::UnitPrice {
                        price: price.into(),
                    },
                },
            },
        };
        PricedLine {
            product: line.product.into(),
            quantity: line.quantity,
            on: line.on,
            list_amount: line.list_amount.into(),
            amount: line.amount.into(),
            unit_price: line.unit_price.into(),
            rule,
            bundle_parts_amount: line.bundle_parts_amount.map(Money::from),
        }
    }
}

impl FromJs for domain::PriceBand {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::PriceBand {
            first: fields.integer("first")?,
            last: fields.integer("last")?,
            unit_price: fields.value("unitPrice")?,
            amount: fields.value("amount")?,
        })
    }
}

impl FromJs for domain::PromotionOffer {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(match fields.text("kind")?.as_str() {
            "percent_off" => domain::PromotionOffer::PercentOff {
                discount: discount(fields.number("discountBp")?)?,
            },
            "unit_price" => domain::PromotionOffer::UnitPrice {
                price: fields.value("price")?,
            },
            _ => {
                return Err(Failure::Input(format!(
                    "{what}.kind must be one of \"percent_off\" \"unit_price\""
                )));
            }
        })
    }
}

impl FromJs for domain::PriceRule {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(match fields.text("kind")?.as_str() {
            "list_price" => domain::PriceRule::ListPrice,
            "graduated" => domain::PriceRule::Graduated {
                bands: fields.values("bands")?,
            },
            "all_units" => domain::PriceRule::AllUnits {
                min_quantity: fields.integer("minQuantity")?,
                unit_price: fields.value("unitPrice")?,
            },
            "promotion" => domain::PriceRule::Promotion {
                promotion: id(fields.text("promotion")?)?,
                name: fields.value("name")?,
                offer: fields.value("offer")?,
            },
            _ => {
                return Err(Failure::Input(format!(
                    "{what}.kind must be one of \"list_price\" \"graduated\" \"all_units\" \"promotion\""
                )));
            }
        })
    }
}

impl FromJs for domain::PricedLine {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::PricedLine {
            product: id(fields.text("product")?)?,
            quantity: fields.integer("quantity")?,
            on: fields.date("on")?,
            list_amount: fields.value("listAmount")?,
            amount: fields.value("amount")?,
            unit_price: fields.value("unitPrice")?,
            rule: fields.value("rule")?,
            bundle_parts_amount: fields.opt_value("bundlePartsAmount")?,
        })
    }
}

/// How a quote line is priced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinePrice {
    /// The catalogue price.
    Catalog {
        /// The priced line, as the catalogue gave it.
        priced: PricedLine,
    },
    /// A price set by hand: `unitPrice × quantity`.
    #[serde(rename_all = "camelCase")]
    Custom {
        /// Price of one unit.
        unit_price: Money,
        /// The catalogue price for the same quantity, the reference for the discount.
        #[serde(skip_serializing_if = "Option::is_none")]
        catalog: Option<PricedLine>,
    },
}

/// One line of a quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct QuoteLine {
    /// Identifier within the quote.
    pub id: String,
    /// The catalogue product, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The SKU, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// What is sold.
    pub name: LocalizedText,
    /// Unit of sale.
    pub unit: LocalizedText,
    /// Units (at least 1).
    pub quantity: i64,
    /// How the line is priced.
    pub price: LinePrice,
    /// Line discount in basis points, before the quote's discount.
    #[serde(default)]
    pub discount_bp: u16,
    /// Tax rate in basis points (1 300 = 13 %).
    #[serde(default)]
    pub tax_rate_bp: u16,
}

impl From<domain::QuoteLine> for QuoteLine {
    fn from(line: domain::QuoteLine) -> Self {
        QuoteLine {
            id: line.id.into(),
            product: line.product.map(String::from),
            sku: line.sku,
            name: line.name.into(),
            unit: line.unit.into(),
            quantity: line.quantity,
            price: match line.price {
                domain::LinePrice::Catalog { priced } => LinePrice::Catalog {
                    priced: priced.into(),
                },
                domain::LinePrice::Custom {
                    unit_price,
                    catalog,
                } => LinePrice::Custom {
                    unit_price: unit_price.into(),
                    catalog: catalog.map(PricedLine::from),
                },
            },
            discount_bp: line.discount.basis_points(),
            tax_rate_bp: line.tax_rate.basis_points(),
        }
    }
}

impl FromJs for domain::LinePrice {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(match fields.text("kind")?.as_str() {
            "catalog" => domain::LinePrice::Catalog {
                priced: fields.value("priced")?,
            },
            "custom" => domain::LinePrice::Custom {
                unit_price: fields.value("unitPrice")?,
                catalog: fields.opt_value("catalog")?,
            },
            _ => {
                return Err(Failure::Input(format!(
                    "{what}.kind must be one of \"catalog\" \"custom\""
                )));
            }
        })
    }
}

impl FromJs for domain::QuoteLine {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::QuoteLine {
            id: id(fields.text("id")?)?,
            product: opt_id(fields.opt_text("product")?)?,
            sku: fields.opt_text("sku")?,
            name: fields.value("name")?,
            unit: fields.value("unit")?,
            quantity: fields.integer("quantity")?,
            price: fields.value("price")?,
            discount: discount(fields.number_or_zero("discountBp")?)?,
            tax_rate: tax_rate(fields.number_or_zero("taxRateBp")?)?,
        })
    }
}

/// The approval decision on a quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalDecision {
    /// Approved or rejected.
    pub outcome: ApprovalOutcome,
    /// Who decided.
    pub by: String,
    /// Their level when deciding.
    pub level: u8,
    /// The level the quote needed.
    pub required_level: u8,
    /// When.
    #[tsify(type = "Millis")]
    pub at: i64,
    /// The approver's comment.
    pub comment: String,
}

/// What happened to a quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuoteEventKind {
    /// The quote (or a new revision) was created.
    Created {
        /// The revision it copies.
        #[serde(skip_serializing_if = "Option::is_none")]
        previous: Option<String>,
    },
    /// The content changed; the quote is a draft again.
    Edited {
        /// The status before the edit.
        from: QuoteStatus,
    },
    /// Submitted; no level means no approval was needed.
    #[serde(rename_all = "camelCase")]
    Submitted {
        /// The level the discount needs.
        #[serde(skip_serializing_if = "Option::is_none")]
        required_level: Option<u8>,
    },
    /// Taken back to draft.
    Withdrawn,
    /// Approved.
    Approved {
        /// The approver's level.
        level: u8,
        /// The approver's remark.
        comment: String,
    },
    /// Rejected.
    Rejected {
        /// The approver's level.
        level: u8,
        /// Why.
        comment: String,
    },
    /// Sent to the customer.
    Sent,
    /// Accepted by the customer.
    Accepted,
    /// Expired unaccepted.
    Expired,
    /// Replaced by a new revision.
    Superseded {
        /// The new revision.
        successor: String,
    },
}

/// One entry of a quote's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct QuoteEvent {
    /// The quote's version after the event.
    pub version: u64,
    /// When.
    #[tsify(type = "Millis")]
    pub at: i64,
    /// Who.
    pub by: String,
    /// What.
    pub event: QuoteEventKind,
}

impl From<domain::QuoteEvent> for QuoteEvent {
    fn from(event: domain::QuoteEvent) -> Self {
        use domain::QuoteEventKind as K;
        QuoteEvent {
            version: event.version,
            at: event.at.millis(),
            by: event.by.into(),
            event: match event.kind {
                K::Created { previous } => QuoteEventKind::Created {
                    previous: previous.map(String::from),
                },
                K::Edited { from } => QuoteEventKind::Edited { from: from.into() },
                K::Submitted { required_level } => QuoteEventKind::Submitted { required_level },
                K::Withdrawn => QuoteEventKind::Withdrawn,
                K::Approved { level, comment } => QuoteEventKind::Approved { level, comment },
                K::Rejected { level, comment } => QuoteEventKind::Rejected { level, comment },
                K::Sent => QuoteEventKind::Sent,
                K::Accepted => QuoteEventKind::Accepted,
                K::Expired => QuoteEventKind::Expired,
                K::Superseded { successor } => QuoteEventKind::Superseded {
                    successor: successor.into(),
                },
            },
        }
    }
}

impl FromJs for domain::QuoteEventKind {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        use domain::QuoteEventKind as K;
        let fields = Fields::of(value, what)?;
        Ok(match fields.text("kind")?.as_str() {
            "created" => K::Created {
                previous: opt_id(fields.opt_text("previous")?)?,
            },
            "edited" => K::Edited {
                from: fields.name::<QuoteStatus>("from")?.into(),
            },
            "submitted" => K::Submitted {
                required_level: fields.opt_number("requiredLevel")?,
            },
            "withdrawn" => K::Withdrawn,
            "approved" => K::Approved {
                level: fields.number("level")?,
                comment: fields.text_or_empty("comment")?,
            },
            "rejected" => K::Rejected {
                level: fields.number("level")?,
                comment: fields.text_or_empty("comment")?,
            },
            "sent" => K::Sent,
            "accepted" => K::Accepted,
            "expired" => K::Expired,
            "superseded" => K::Superseded {
                successor: id(fields.text("successor")?)?,
            },
            _ => {
                return Err(Failure::Input(format!(
                    "{what}.kind must be one of \"created\" \"edited\" \"submitted\" \"withdrawn\" \"approved\" \"rejected\" \"sent\" \"accepted\" \"expired\" \"superseded\""
                )));
            }
        })
    }
}

impl FromJs for domain::QuoteEvent {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::QuoteEvent {
            version: fields.number("version")?,
            at: domain::Timestamp::from_millis(fields.integer("at")?),
            by: id(fields.text("by")?)?,
            kind: fields.value("event")?,
        })
    }
}

impl FromJs for domain::ApprovalDecision {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::ApprovalDecision {
            outcome: fields.name::<ApprovalOutcome>("outcome")?.into(),
            by: id(fields.text("by")?)?,
            level: fields.number("level")?,
            required_level: fields.number("requiredLevel")?,
            at: domain::Timestamp::from_millis(fields.integer("at")?),
            comment: fields.text_or_empty("comment")?,
        })
    }
}

/// A quote on a deal: one revision with its lines, discount, tax, validity, approval and log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct QuoteData {
    /// Identifier of this revision.
    pub id: String,
    /// The deal quoted for.
    pub deal: String,
    /// The owning rep.
    pub owner: String,
    /// Revision number (1 for V1).
    pub revision: u32,
    /// The revision this one copies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// Concurrency version: every command names it.
    pub version: u64,
    /// The currency of every amount.
    #[tsify(type = "CurrencyCode")]
    pub currency: String,
    /// Lines, in the order shown.
    pub lines: Vec<QuoteLine>,
    /// Whole-quote discount in basis points.
    #[serde(default)]
    pub discount_bp: u16,
    /// Whether prices include tax.
    pub tax_basis: TaxBasis,
    /// Last day the offer is valid.
    #[tsify(type = "IsoDate")]
    #[serde(serialize_with = "iso_date")]
    pub valid_until: time::Date,
    /// Where the quote is in its life.
    pub status: QuoteStatus,
    /// While pending: the approval level needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_level: Option<u8>,
    /// The approval decision, once made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<ApprovalDecision>,
    /// Everything that happened, in order.
    pub events: Vec<QuoteEvent>,
}

impl From<domain::Quote> for QuoteData {
    fn from(quote: domain::Quote) -> Self {
        QuoteData {
            id: quote.id.into(),
            deal: quote.deal.into(),
            owner: quote.owner.into(),
            revision: quote.revision,
            previous: quote.previous.map(String::from),
            version: quote.version,
            currency: quote.currency.code().to_owned(),
            lines: quote.lines.into_iter().map(QuoteLine::from).collect(),
            discount_bp: quote.discount.basis_points(),
            tax_basis: quote.tax_basis.into(),
            valid_until: quote.valid_until,
            status: quote.status.into(),
            required_level: quote.required_level,
            decision: quote.decision.map(|decision| ApprovalDecision {
                outcome: decision.outcome.into(),
                by: decision.by.into(),
                level: decision.level,
                required_level: decision.required_level,
                at: decision.at.millis(),
                comment: decision.comment,
            }),
            events: quote.events.into_iter().map(QuoteEvent::from).collect(),
        }
    }
}

impl FromJs for domain::Quote {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Quote {
            id: id(fields.text("id")?)?,
            deal: id(fields.text("deal")?)?,
            owner: id(fields.text("owner")?)?,
            revision: fields.number("revision")?,
            previous: opt_id(fields.opt_text("previous")?)?,
            version: fields.number("version")?,
            currency: fields.text("currency")?.parse::<domain::Currency>()?,
            lines: fields.values("lines")?,
            discount: discount(fields.number_or_zero("discountBp")?)?,
            tax_basis: fields.name::<TaxBasis>("taxBasis")?.into(),
            valid_until: fields.date("validUntil")?,
            status: fields.name::<QuoteStatus>("status")?.into(),
            required_level: fields.opt_number("requiredLevel")?,
            decision: fields.opt_value("decision")?,
            events: fields.values("events")?,
        })
    }
}

/// What is needed to start a quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct NewQuote {
    /// Identifier.
    pub id: String,
    /// The deal.
    pub deal: String,
    /// The owning rep.
    pub owner: String,
    /// Currency of all amounts.
    #[tsify(type = "CurrencyCode")]
    pub currency: String,
    /// Last valid day.
    #[tsify(type = "IsoDate")]
    #[serde(serialize_with = "iso_date")]
    pub valid_until: time::Date,
    /// Whether prices include tax.
    pub tax_basis: TaxBasis,
}

impl FromJs for domain::NewQuote {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::NewQuote {
            id: id(fields.text("id")?)?,
            deal: id(fields.text("deal")?)?,
            owner: id(fields.text("owner")?)?,
            currency: fields.text("currency")?.parse::<domain::Currency>()?,
            valid_until: fields.date("validUntil")?,
            tax_basis: fields.name::<TaxBasis>("taxBasis")?.into(),
        })
    }
}

/// A change to a quote's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum QuoteEdit {
    /// Add a line, or replace the line with the same id.
    SetLine {
        /// The line.
        line: Box<QuoteLine>,
    },
    /// Remove a line.
    RemoveLine {
        /// Its id.
        line: String,
    },
    /// Set the whole-quote discount.
    #[serde(rename_all = "camelCase")]
    SetDiscount {
        /// Basis points.
        discount_bp: u16,
    },
    /// Set whether prices include tax.
    SetTaxBasis {
        /// The basis.
        basis: TaxBasis,
    },
    /// Set the last valid day.
    SetValidUntil {
        /// The date.
        #[tsify(type = "IsoDate")]
        #[serde(serialize_with = "iso_date")]
        date: time::Date,
    },
}

/// What a quote command does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum QuoteAction {
    /// Change the content; a pending, approved or rejected quote goes back to draft.
    Edit {
        /// The change.
        edit: QuoteEdit,
    },
    /// Ask for approval.
    Submit,
    /// Take a pending quote back to draft.
    Withdraw,
    /// Approve a pending quote.
    Approve {
        /// Optional remark.
        #[serde(default)]
        comment: String,
    },
    /// Reject a pending quote, saying why.
    Reject {
        /// Why; required.
        comment: String,
    },
    /// Record that the approved quote went to the customer.
    Send,
    /// Record the customer's acceptance.
    Accept,
    /// Close an approved or sent quote past its validity date.
    Expire,
    /// Close the quote because a new revision replaces it.
    Supersede {
        /// The new revision.
        successor: String,
    },
}

/// A change to a quote, made against the version the user saw (compare-and-set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct QuoteCommand {
    /// The quote's `version` when the command was made.
    pub expected_version: u64,
    /// What to do.
    pub action: QuoteAction,
}

impl FromJs for domain::QuoteEdit {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(match fields.text("edit")?.as_str() {
            "set_line" => domain::QuoteEdit::SetLine {
                line: Box::new(fields.value("line")?),
            },
            "remove_line" => domain::QuoteEdit::RemoveLine {
                line: id(fields.text("line")?)?,
            },
            "set_discount" => domain::QuoteEdit::SetDiscount {
                discount: discount(fields.number("discountBp")?)?,
            },
            "set_tax_basis" => domain::QuoteEdit::SetTaxBasis {
                basis: fields.name::<TaxBasis>("basis")?.into(),
            },
            "set_valid_until" => domain::QuoteEdit::SetValidUntil {
                date: fields.date("date")?,
            },
            _ => {
                return Err(Failure::Input(format!(
                    "{what}.edit must be one of \"set_line\" \"remove_line\" \"set_discount\" \"set_tax_basis\" \"set_valid_until\""
                )));
            }
        })
    }
}

impl FromJs for domain::QuoteAction {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(match fields.text("action")?.as_str() {
            "edit" => domain::QuoteAction::Edit {
                edit: fields.value("edit")?,
            },
            "submit" => domain::QuoteAction::Submit,
            "withdraw" => domain::QuoteAction::Withdraw,
            "approve" => domain::QuoteAction::Approve {
                comment: fields.text_or_empty("comment")?,
            },
            "reject" => domain::QuoteAction::Reject {
                comment: fields.text_or_empty("comment")?,
            },
            "send" => domain::QuoteAction::Send,
            "accept" => domain::QuoteAction::Accept,
            "expire" => domain::QuoteAction::Expire,
            "supersede" => domain::QuoteAction::Supersede {
                successor: id(fields.text("successor")?)?,
            },
            _ => {
                return Err(Failure::Input(format!(
                    "{what}.action must be one of \"edit\" \"submit\" \"withdraw\" \"approve\" \"reject\" \"send\" \"accept\" \"expire\" \"supersede\""
                )));
            }
        })
    }
}

impl FromJs for domain::QuoteCommand {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::QuoteCommand {
            expected_version: fields.number("expectedVersion")?,
            action: fields.value("action")?,
        })
    }
}

/// Discounts strictly above `aboveBp` need an approver of at least `level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalThreshold {
    /// The discount (basis points) that may still be given without this level.
    pub above_bp: u16,
    /// The level needed beyond it (1 = the owner's manager).
    pub level: u8,
}

/// Discount thresholds above which a quote needs approval, and by whom.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalPolicy {
    /// Thresholds in ascending order of discount and of level.
    pub thresholds: Vec<ApprovalThreshold>,
}

impl FromJs for domain::ApprovalThreshold {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::ApprovalThreshold {
            above: discount(fields.number("aboveBp")?)?,
            level: fields.number("level")?,
        })
    }
}

impl FromJs for domain::ApprovalPolicy {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::ApprovalPolicy {
            thresholds: fields.values("thresholds")?,
        })
    }
}

impl FromJs for domain::QuoteContext {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::QuoteContext {
            actor: domain::Approver {
                user: id(fields.text("user")?)?,
                level: fields.number("level")?,
            },
            now: domain::Timestamp::from_millis(fields.integer("now")?),
            offset: super::common::utc_offset(fields.number("utcOffsetMinutes")?)?,
        })
    }
}

/// Who acts on a quote, at which approval level (from the server, never the client), and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct QuoteContext {
    /// The acting user.
    pub user: String,
    /// Their approval level over the quote's owner: 0 for the owner and peers.
    pub level: u8,
    /// The current time.
    #[tsify(type = "Millis")]
    pub now: i64,
    /// The organisation's UTC offset in minutes.
    pub utc_offset_minutes: i32,
}

/// A line's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct LineTotals {
    /// The line.
    pub line: String,
    /// The standard amount discounts are measured against.
    pub reference: Money,
    /// Before discounts.
    pub gross: Money,
    /// After the line's and the quote's discounts.
    pub discounted: Money,
    /// Before tax.
    pub net: Money,
    /// Tax.
    pub tax: Money,
    /// Including tax.
    pub total: Money,
}

/// The figures of a quote: sums of the lines' rounded figures (rounded per line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct QuoteTotals {
    /// Each line's figures, in quote order.
    pub lines: Vec<LineTotals>,
    /// Σ reference.
    pub reference: Money,
    /// Σ gross.
    pub gross: Money,
    /// Σ discounted.
    pub discounted: Money,
    /// Σ net: before tax.
    pub net: Money,
    /// Σ tax.
    pub tax: Money,
    /// Σ total: what the customer pays.
    pub total: Money,
    /// The discount from the reference, in basis points (for display).
    pub discount_bp: i64,
}

impl From<domain::QuoteTotals> for QuoteTotals {
    fn from(totals: domain::QuoteTotals) -> Self {
        let discount_bp = totals.discount_basis_points();
        QuoteTotals {
            lines: totals
                .lines
                .into_iter()
                .map(|line| LineTotals {
                    line: line.line.into(),
                    reference: line.reference.into(),
                    gross: line.gross.into(),
                    discounted: line.discounted.into(),
                    net: line.net.into(),
                    tax: line.tax.into(),
                    total: line.total.into(),
                })
                .collect(),
            reference: totals.reference.into(),
            gross: totals.gross.into(),
            discounted: totals.discounted.into(),
            net: totals.net.into(),
            tax: totals.tax.into(),
            total: totals.total.into(),
            discount_bp,
        }
    }
}

/// The new quote and the event a command logged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct QuoteDecision {
    /// The quote after the command.
    pub quote: QuoteData,
    /// The event to log and broadcast.
    pub event: QuoteEvent,
}
