//! Quote totals, computed exactly (the rounding rule is on [`QuoteTotals`]).

use serde::{Deserialize, Serialize};

use super::{Quote, QuoteError, QuoteLine, TaxBasis};
use crate::id::RecordId;
use crate::money::{Currency, Discount, Money, MoneyError, round_half_away_from_zero};

/// The figures of one quote line.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LineTotals {
    /// The line.
    pub line: RecordId,
    /// The standard (catalogue) amount that discounts are measured against.
    pub reference: Money,
    /// Before discounts.
    pub gross: Money,
    /// After the line's and the quote's discounts, in the quote's tax basis.
    pub discounted: Money,
    /// Before tax.
    pub net: Money,
    /// Tax.
    pub tax: Money,
    /// Including tax.
    pub total: Money,
}

/// The figures of a quote: sums of the lines' rounded figures.
///
/// # Rounding
///
/// Everything is rounded **per line**, half away from zero (四舍五入) to the currency's minor
/// unit, and every total is the sum of the rounded lines:
///
/// 1. `gross` = the catalogue amount, or unit price × quantity (exact integers);
/// 2. `discounted` = gross × (1 − line discount) × (1 − quote discount), rounded **once**: the
///    quote's discount is spread over the lines rather than taken off the sum, so the lines always
///    add up to the quote;
/// 3. tax per line on `discounted` (see [`TaxBasis`]), rounded once;
/// 4. `net`, `tax` and `total` of the quote are the sums of the lines'.
///
/// The discount that approval looks at compares `discounted` with the line's reference amount
/// (the catalogue price; see [`QuoteLine::reference`]), so volume tiers and promotions, which the
/// catalogue already allows, need no approval, while line discounts, the quote discount and
/// custom prices below the catalogue do.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct QuoteTotals {
    /// Each line's figures, in quote order.
    pub lines: Vec<LineTotals>,
    /// Σ reference.
    pub reference: Money,
    /// Σ gross.
    pub gross: Money,
    /// Σ discounted.
    pub discounted: Money,
    /// Σ net: the amount before tax.
    pub net: Money,
    /// Σ tax.
    pub tax: Money,
    /// Σ total: what the customer pays, and the amount a contract from this quote is for.
    pub total: Money,
}

impl Quote {
    /// Works out the figures of the quote. Fails only on overflow or a line in another
    /// currency; an empty quote has zero totals.
    ///
    /// ```
    /// use dealflow_core::*;
    /// # let quote = doc_quote()?;
    /// # fn doc_quote() -> Result<Quote, Error> {
    /// #     let new = NewQuote {
    /// #         id: QuoteId::new("q1")?, deal: DealId::new("d1")?, owner: UserId::new("rep")?,
    /// #         currency: Currency::CNY, valid_until: time::macros::date!(2026 - 12 - 31),
    /// #         tax_basis: TaxBasis::Exclusive,
    /// #     };
    /// #     let mut quote = Quote::new(new, Timestamp::from_millis(0));
    /// #     let line = QuoteLine::ad_hoc(
    /// #         RecordId::new("l1")?, LocalizedText::new("定制开发", "Custom development"),
    /// #         LocalizedText::new("人天", "person-day"), 3, Money::new(333_33, Currency::CNY),
    /// #         TaxRate::from_basis_points(1_300)?,
    /// #     )?;
    /// #     quote.lines.push(line.with_discount(Discount::from_basis_points(1_250)?));
    /// #     quote.discount = Discount::from_basis_points(500)?;
    /// #     Ok(quote)
    /// # }
    /// // One line: 3 × 333.33 = 999.99, 12.5 % line discount, 5 % quote discount, 13 % VAT.
    /// let totals = quote.totals()?;
    /// assert_eq!(totals.gross, Money::new(999_99, Currency::CNY));
    /// assert_eq!(totals.net, Money::new(831_24, Currency::CNY)); // 999.99 × 0.875 × 0.95 = 831.2416875
    /// assert_eq!(totals.tax, Money::new(108_06, Currency::CNY)); // 831.24 × 0.13 = 108.0612
    /// assert_eq!(totals.total, Money::new(939_30, Currency::CNY));
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn totals(&self) -> Result<QuoteTotals, QuoteError> {
        let currency = self.currency;
        let mut totals = QuoteTotals {
            lines: Vec::with_capacity(self.lines.len()),
            reference: Money::zero(currency),
            gross: Money::zero(currency),
            discounted: Money::zero(currency),
            net: Money::zero(currency),
            tax: Money::zero(currency),
            total: Money::zero(currency),
        };
        for line in &self.lines {
            let figures = line_totals(line, self.discount, self.tax_basis, currency)?;
            totals.reference = totals.reference.checked_add(figures.reference)?;
            totals.gross = totals.gross.checked_add(figures.gross)?;
            totals.discounted = totals.discounted.checked_add(figures.discounted)?;
            totals.net = totals.net.checked_add(figures.net)?;
            totals.tax = totals.tax.checked_add(figures.tax)?;
            totals.total = totals.total.checked_add(figures.total)?;
            totals.lines.push(figures);
        }
        Ok(totals)
    }
}

impl QuoteTotals {
    /// Whether the discount from the reference is strictly above `threshold`, compared exactly:
    /// `(reference − discounted) × 10 000 > threshold × reference`.
    pub fn discount_exceeds(&self, threshold: Discount) -> bool {
        let reference = i128::from(self.reference.minor());
        let given = reference - i128::from(self.discounted.minor());
        given * 10_000 > i128::from(threshold.basis_points()) * reference
    }

    /// The discount from the reference in basis points, rounded half away from zero, for
    /// display; negative when the quote is above the catalogue price, 0 when there is no
    /// reference.
    pub fn discount_basis_points(&self) -> i64 {
        let reference = i128::from(self.reference.minor());
        if reference == 0 {
            return 0;
        }
        let given = reference - i128::from(self.discounted.minor());
        round_half_away_from_zero(given * 10_000, reference).unwrap_or(0)
    }
}

fn line_totals(
    line: &QuoteLine,
    quote_discount: Discount,
    basis: TaxBasis,
    currency: Currency,
) -> Result<LineTotals, MoneyError> {
    let gross = line.gross()?;
    let reference = line.reference()?;
    for amount in [gross, reference] {
        if amount.currency() != currency {
            return Err(MoneyError::CurrencyMismatch {
                expected: currency,
                found: amount.currency(),
            });
        }
    }
    // Both factors are at most 10 000, so their product fits comfortably in an i64.
    let keep = (10_000 - i64::from(line.discount.basis_points()))
        * (10_000 - i64::from(quote_discount.basis_points()));
    let discounted = gross.mul_ratio(keep, 100_000_000)?;
    let split = basis.split(discounted, line.tax_rate)?;
    Ok(LineTotals {
        line: line.id.clone(),
        reference,
        gross,
        discounted,
        net: split.net,
        tax: split.tax,
        total: split.total,
    })
}

#[cfg(test)]
#[allow(
    clippy::inconsistent_digit_grouping,
    reason = "amounts are written as yuan_fen"
)]
mod tests {
    use super::*;
    use crate::i18n::LocalizedText;
    use crate::id::{DealId, QuoteId, UserId};
    use crate::quote::{NewQuote, TaxRate};
    use crate::timestamp::Timestamp;
    use time::macros::date;

    fn cny(minor: i64) -> Money {
        Money::new(minor, Currency::CNY)
    }

    fn quote(basis: TaxBasis) -> Quote {
        Quote::new(
            NewQuote {
                id: QuoteId::new("q").unwrap(),
                deal: DealId::new("d").unwrap(),
                owner: UserId::new("rep").unwrap(),
                currency: Currency::CNY,
                valid_until: date!(2026 - 12 - 31),
                tax_basis: basis,
            },
            Timestamp::from_millis(0),
        )
    }

    fn line(id: &str, quantity: i64, unit_minor: i64, discount: u16, tax: u16) -> QuoteLine {
        QuoteLine::ad_hoc(
            RecordId::new(id).unwrap(),
            LocalizedText::new("项目", "item"),
            LocalizedText::new("个", "piece"),
            quantity,
            cny(unit_minor),
            TaxRate::from_basis_points(tax).unwrap(),
        )
        .unwrap()
        .with_discount(Discount::from_basis_points(discount).unwrap())
    }

    #[test]
    fn totals_are_sums_of_rounded_lines() {
        let mut quote = quote(TaxBasis::Exclusive);
        quote.discount = Discount::from_basis_points(500).unwrap();
        quote.lines = vec![
            line("a", 3, 333_33, 1_250, 1_300),
            line("b", 1, 1_01, 5_000, 600),
            line("c", 7, 14_29, 0, 0),
        ];
        let totals = quote.totals().unwrap();
        // a: 3 × 333.33 = 999.99; × 0.875 × 0.95 = 831.2416875 → 831.24; tax 13 % = 108.0612
        //    → 108.06; total 939.30
        // b: 1.01 × 0.5 × 0.95 = 0.47975 → 0.48; tax 6 % = 0.0288 → 0.03; total 0.51
        // c: 7 × 14.29 = 100.03; × 0.95 = 95.0285 → 95.03; no tax; total 95.03
        let figures: Vec<(i64, i64, i64, i64)> = totals
            .lines
            .iter()
            .map(|line| {
                (
                    line.gross.minor(),
                    line.net.minor(),
                    line.tax.minor(),
                    line.total.minor(),
                )
            })
            .collect();
        assert_eq!(
            figures,
            [
                (999_99, 831_24, 108_06, 939_30),
                (1_01, 48, 3, 51),
                (100_03, 95_03, 0, 95_03)
            ]
        );
        // gross 999.99 + 1.01 + 100.03 = 1101.03; net 831.24 + 0.48 + 95.03 = 926.75;
        // tax 108.06 + 0.03 = 108.09; total 926.75 + 108.09 = 1034.84
        assert_eq!(totals.gross, cny(1_101_03));
        assert_eq!(totals.net, cny(926_75));
        assert_eq!(totals.tax, cny(108_09));
        assert_eq!(totals.total, cny(1_034_84));
    }

    #[test]
    fn the_quote_discount_is_spread_over_the_lines() {
        let mut quote = quote(TaxBasis::Exclusive);
        quote.discount = Discount::from_basis_points(1_000).unwrap();
        quote.lines = vec![line("a", 1, 5, 0, 0), line("b", 1, 5, 0, 0)];
        // Each line: 0.05 × 0.9 = 0.045 → 0.05, so the quote is 0.10; taking 10 % off the sum
        // (0.10 × 0.9 = 0.09) would leave lines that no longer add up to the quote.
        assert_eq!(quote.totals().unwrap().net, cny(10));
    }

    #[test]
    fn half_a_minor_unit_rounds_away_from_zero() {
        let mut quote = quote(TaxBasis::Exclusive);
        // 1.01 × 50 % = 0.505 → 0.51 (half up), never banker's 0.50
        quote.lines = vec![line("a", 1, 1_01, 5_000, 0)];
        assert_eq!(quote.totals().unwrap().net, cny(51));
    }

    #[test]
    fn inclusive_prices_keep_the_total() {
        let mut quote = quote(TaxBasis::Inclusive);
        quote.lines = vec![line("a", 2, 565_00, 0, 1_300), line("b", 1, 100_00, 0, 600)];
        let totals = quote.totals().unwrap();
        // a: 1130.00 incl. 13 % → tax 130.00, net 1000.00; b: 100.00 incl. 6 % → tax 5.66,
        // net 94.34; total 1230.00 = 1094.34 + 135.66
        assert_eq!(totals.total, cny(1_230_00));
        assert_eq!(totals.tax, cny(135_66));
        assert_eq!(totals.net, cny(1_094_34));
    }

    #[test]
    fn discount_is_measured_against_the_reference() {
        let mut quote = quote(TaxBasis::Exclusive);
        quote.lines = vec![line("a", 1, 100_00, 1_000, 1_300)];
        let totals = quote.totals().unwrap();
        // reference 100.00, discounted 90.00: exactly 10 %
        assert_eq!(totals.discount_basis_points(), 1_000);
        assert!(!totals.discount_exceeds(Discount::from_basis_points(1_000).unwrap()));
        assert!(totals.discount_exceeds(Discount::from_basis_points(999).unwrap()));
        quote.lines = vec![line("a", 3, 1_00, 3_333, 0)];
        // 3.00 × 0.6667 = 2.0001 → 2.00; discount 1.00 / 3.00 = 33.33…% → 3333 bp
        let totals = quote.totals().unwrap();
        assert_eq!(totals.discount_basis_points(), 3_333);
        assert!(totals.discount_exceeds(Discount::from_basis_points(3_333).unwrap()));
        assert_eq!(quote.totals().unwrap().discount_basis_points(), 3_333);
    }
}
