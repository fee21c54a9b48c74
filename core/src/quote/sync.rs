//! Syncing a quote to its deal: the deal's amount and product lines follow the quote.

use std::collections::BTreeMap;

use super::{Quote, QuoteError};
use crate::deal::{Deal, ProductLine};
use crate::id::{RecordId, UserId};
use crate::money::{Discount, round_half_away_from_zero};
use crate::timestamp::Timestamp;

impl Quote {
    /// Makes the deal reflect this quote: the amount becomes the quote's total including tax
    /// (what the contract will be for), logged through
    /// [`Deal::set_amount`](crate::Deal::set_amount) as change `change_id`, and the product lines
    /// are replaced by the quote's lines (same ids).
    ///
    /// The deal takes the quote's currency; nothing is converted. Product lines are a summary
    /// in the quote's tax basis: `unit_price` is the line's gross amount per unit and `discount`
    /// the line's combined discount (line and quote), both rounded half away from zero, so for
    /// graduated tiers they describe the line rather than reproduce it to the fen. The quote
    /// stays the exact record.
    ///
    /// Fails, changing nothing, when the quote belongs to another deal or has no lines.
    pub fn sync_to_deal(
        &self,
        deal: &mut Deal,
        by: UserId,
        at: Timestamp,
        change_id: RecordId,
    ) -> Result<(), QuoteError> {
        if deal.id != self.deal {
            return Err(QuoteError::WrongDeal {
                quote: self.id.clone(),
                expected: self.deal.clone(),
                actual: deal.id.clone(),
            });
        }
        if self.lines.is_empty() {
            return Err(QuoteError::EmptyQuote {
                quote: self.id.clone(),
            });
        }
        let totals = self.totals()?;
        let mut product_lines = BTreeMap::new();
        for (line, figures) in self.lines.iter().zip(&totals.lines) {
            let unit_price = figures.gross.mul_ratio(1, line.quantity)?;
            let gross = i128::from(figures.gross.minor());
            let given = gross - i128::from(figures.discounted.minor());
            let basis_points = if gross == 0 {
                0
            } else {
                round_half_away_from_zero(given * 10_000, gross)?
            };
            // Discounts are 0–100 % by construction, so the clamp only guards corrupt input.
            let basis_points = u16::try_from(basis_points.clamp(0, 10_000)).unwrap_or(0);
            let discount = Discount::from_basis_points(basis_points)?;
            let name = if line.name.zh_cn.trim().is_empty() {
                line.name.en.clone()
            } else {
                line.name.zh_cn.clone()
            };
            product_lines.insert(
                line.id.clone(),
                ProductLine {
                    id: line.id.clone(),
                    product_id: line.product.clone(),
                    product: name,
                    quantity: line.quantity,
                    unit_price,
                    discount,
                },
            );
        }
        deal.set_amount(totals.total, by, at, change_id);
        deal.product_lines = product_lines;
        Ok(())
    }
}
