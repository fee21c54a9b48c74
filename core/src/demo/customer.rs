//! Customers of demo deals: the company, its people and what it buys.

use rand::rngs::ChaCha8Rng;

use super::org::DemoRegion;
use super::random::{between, chance, pick, pick_weighted};
use super::vocabulary::{
    self, ANALYTICS, BLOCKER_TITLES, BRANDS, CHAMPION_TITLES, CRM_ENTERPRISE, CRM_STANDARD,
    DECISION_MAKER_TITLES, FINANCIAL_TITLES, GIVEN_NAMES, GOVERNMENT_DECISION_MAKER_TITLES,
    IMPLEMENTATION, INDUSTRIES, INFLUENCER_TITLES, PRODUCTS, SUFFIXES, SURNAMES, TECHNICAL_TITLES,
    TRAINING, USER_TITLES,
};
use crate::deal::{CompanySize, Contact, ContactRole, Influence, ProductLine, Stance};
use crate::error::Error;
use crate::id::{ContactId, ProductId, RecordId};
use crate::money::{Currency, Discount, Money};

/// The smallest deal amount, in yuan.
pub(super) const MIN_AMOUNT_YUAN: i64 = 50_000;
/// The largest deal amount, in yuan.
pub(super) const MAX_AMOUNT_YUAN: i64 = 5_000_000;

/// The industry index of 政府 (government bodies are named differently).
const GOVERNMENT: usize = 6;

/// A customer company.
#[derive(Clone, Debug)]
pub(super) struct Customer {
    /// Registered name, e.g. 杭州恒信精密机械有限公司.
    pub(super) name: String,
    /// What reps call it, e.g. 杭州恒信.
    pub(super) short_name: String,
    /// Pinyin of its brand, for email addresses.
    pub(super) domain: &'static str,
    /// Index into [`INDUSTRIES`].
    pub(super) industry: usize,
    pub(super) size: CompanySize,
    pub(super) city: &'static str,
    pub(super) region: DemoRegion,
    pub(super) founded: i64,
    pub(super) people: i64,
}

impl Customer {
    /// A new company in one of `region`'s cities.
    pub(super) fn draw(rng: &mut ChaCha8Rng, region: DemoRegion) -> Customer {
        let weights: Vec<u32> = INDUSTRIES.iter().map(|(weight, _)| *weight).collect();
        let industry = super::random::pick_index(rng, &weights);
        let spec = &INDUSTRIES[industry.min(INDUSTRIES.len() - 1)].1;
        let city = super::random::pick_from(rng, region.spec().cities)
            .copied()
            .unwrap_or("上海");
        let (brand, domain) = *pick(rng, &BRANDS);
        let word = super::random::pick_from(rng, spec.name_words)
            .copied()
            .unwrap_or_default();
        let (name, short_name) = if industry == GOVERNMENT {
            let name = format!("{city}市{word}");
            (name.clone(), name)
        } else {
            let suffix = pick_weighted(rng, &SUFFIXES);
            (
                format!("{city}{brand}{word}{suffix}"),
                format!("{city}{brand}"),
            )
        };
        let size = if industry == GOVERNMENT {
            *pick(rng, &[CompanySize::Medium, CompanySize::Large])
        } else {
            *pick_weighted(
                rng,
                &[
                    (20, CompanySize::Small),
                    (35, CompanySize::Medium),
                    (30, CompanySize::Large),
                    (15, CompanySize::Enterprise),
                ],
            )
        };
        let people = match size {
            CompanySize::Micro => between(rng, 5, 19),
            CompanySize::Small => between(rng, 20, 99),
            CompanySize::Medium => between(rng, 100, 499),
            CompanySize::Large => between(rng, 500, 1_999),
            CompanySize::Enterprise => between(rng, 2_000, 20_000),
        };
        Customer {
            name,
            short_name,
            domain,
            industry,
            size,
            city,
            region,
            founded: between(rng, 1985, 2018),
            people,
        }
    }

    pub(super) fn industry(&self) -> &'static vocabulary::Industry {
        &INDUSTRIES[self.industry.min(INDUSTRIES.len() - 1)].1
    }

    pub(super) fn is_government(&self) -> bool {
        self.industry == GOVERNMENT
    }

    /// A first estimate of the deal amount in yuan: right-skewed within the size's band (the
    /// product of two uniform draws), rounded to ¥1,000.
    pub(super) fn estimate_yuan(&self, rng: &mut ChaCha8Rng) -> i64 {
        let (low, high) = match self.size {
            CompanySize::Micro | CompanySize::Small => (50_000, 200_000),
            CompanySize::Medium => (100_000, 600_000),
            CompanySize::Large => (300_000, 2_000_000),
            CompanySize::Enterprise => (800_000, MAX_AMOUNT_YUAN),
        };
        let spread = between(rng, 0, 1_000) * between(rng, 0, 1_000);
        let yuan = low + (high - low) * spread / 1_000_000;
        (yuan / 1_000 * 1_000).clamp(MIN_AMOUNT_YUAN, MAX_AMOUNT_YUAN)
    }

    /// A contact at the company playing `role`.
    pub(super) fn contact(
        &self,
        rng: &mut ChaCha8Rng,
        id: ContactId,
        role: ContactRole,
        stance: Stance,
        influence: Influence,
    ) -> Contact {
        let (surname, surname_pinyin) = *pick(rng, &SURNAMES);
        let (given, given_pinyin) = *pick(rng, &GIVEN_NAMES);
        let title = match role {
            ContactRole::DecisionMaker if self.is_government() => {
                *pick(rng, &GOVERNMENT_DECISION_MAKER_TITLES)
            }
            ContactRole::DecisionMaker => *pick(rng, &DECISION_MAKER_TITLES),
            ContactRole::Financial => *pick(rng, &FINANCIAL_TITLES),
            ContactRole::Technical => *pick(rng, &TECHNICAL_TITLES),
            ContactRole::Champion => *pick(rng, &CHAMPION_TITLES),
            ContactRole::User => *pick(rng, &USER_TITLES),
            ContactRole::Blocker => *pick(rng, &BLOCKER_TITLES),
            ContactRole::Influencer | ContactRole::Other => *pick(rng, &INFLUENCER_TITLES),
        };
        let mobile_prefix = *pick(rng, &[135, 136, 138, 139, 150, 158, 186, 188, 177, 199]);
        Contact {
            id,
            name: format!("{surname}{given}"),
            title: title.to_owned(),
            role,
            stance,
            influence,
            last_contacted: None,
            phone: format!("{mobile_prefix}{:08}", between(rng, 0, 99_999_999)),
            email: format!(
                "{given_pinyin}.{surname_pinyin}@{}.example.com",
                self.domain
            ),
        }
    }

    /// Product lines for a deal worth about `target_yuan`: a CRM edition by user count, maybe
    /// the analytics module, implementation days and training sessions, at list price. The
    /// total stays within ¥50,000–¥5,000,000.
    pub(super) fn product_lines(
        &self,
        rng: &mut ChaCha8Rng,
        target_yuan: i64,
        mut next_id: impl FnMut() -> Result<RecordId, Error>,
    ) -> Result<Vec<ProductLine>, Error> {
        let large = matches!(self.size, CompanySize::Large | CompanySize::Enterprise);
        let edition = if large == chance(rng, 80) {
            CRM_ENTERPRISE
        } else {
            CRM_STANDARD
        };
        let analytics = chance(rng, 35);
        let training_sessions = if large {
            between(rng, 2, 6)
        } else {
            between(rng, 1, 2)
        };
        let service_percent = between(rng, 15, 30);
        let implementation_days =
            (target_yuan * service_percent / 100 / PRODUCTS[IMPLEMENTATION].list_price_yuan).max(5);
        let services_yuan = implementation_days * PRODUCTS[IMPLEMENTATION].list_price_yuan
            + training_sessions * PRODUCTS[TRAINING].list_price_yuan;
        let seat_yuan = PRODUCTS[edition].list_price_yuan
            + if analytics {
                PRODUCTS[ANALYTICS].list_price_yuan
            } else {
                0
            };
        // Seats take what the services leave, then move the total into the allowed range.
        let mut seats = ((target_yuan - services_yuan) / seat_yuan).max(10);
        let total = |seats: i64| seats * seat_yuan + services_yuan;
        if total(seats) < MIN_AMOUNT_YUAN {
            seats += (MIN_AMOUNT_YUAN - total(seats) + seat_yuan - 1) / seat_yuan;
        }
        if total(seats) > MAX_AMOUNT_YUAN {
            seats -= (total(seats) - MAX_AMOUNT_YUAN + seat_yuan - 1) / seat_yuan;
            seats = seats.max(1);
        }
        let mut lines = vec![line(next_id()?, edition, seats)?];
        if analytics {
            lines.push(line(next_id()?, ANALYTICS, seats)?);
        }
        lines.push(line(next_id()?, IMPLEMENTATION, implementation_days)?);
        lines.push(line(next_id()?, TRAINING, training_sessions)?);
        Ok(lines)
    }
}

/// A product line at list price.
fn line(id: RecordId, product: usize, quantity: i64) -> Result<ProductLine, Error> {
    let spec = &PRODUCTS[product.min(PRODUCTS.len() - 1)];
    Ok(ProductLine {
        id,
        product_id: Some(ProductId::new(spec.id)?),
        product: spec.zh_cn.to_owned(),
        quantity,
        unit_price: Money::from_major(spec.list_price_yuan, Currency::CNY)?,
        discount: Discount::NONE,
    })
}

/// The amount of a product line: quantity × unit price, less the discount.
pub(super) fn line_total(line: &ProductLine) -> Result<Money, Error> {
    Ok(line
        .discount
        .apply(line.unit_price.checked_mul(line.quantity)?)?)
}

/// The sum of the lines.
pub(super) fn lines_total<'l>(
    lines: impl IntoIterator<Item = &'l ProductLine>,
) -> Result<Money, Error> {
    let mut total = Money::zero(Currency::CNY);
    for line in lines {
        total = total.checked_add(line_total(line)?)?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn customers_and_product_lines_stay_in_bounds() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for round in 0..500 {
            let customer = Customer::draw(&mut rng, DemoRegion::EastChina);
            assert!(customer.name.starts_with(customer.city));
            let estimate = customer.estimate_yuan(&mut rng);
            assert!((MIN_AMOUNT_YUAN..=MAX_AMOUNT_YUAN).contains(&estimate));
            let mut counter = 0;
            let lines = customer
                .product_lines(&mut rng, estimate * 120 / 100, || {
                    counter += 1;
                    Ok(RecordId::new(format!("pl-{round}-{counter}"))?)
                })
                .unwrap();
            let total = lines_total(&lines).unwrap();
            assert!(total.minor() >= MIN_AMOUNT_YUAN * 100, "{total:?}");
            assert!(total.minor() <= MAX_AMOUNT_YUAN * 100, "{total:?}");
            assert!(lines.iter().all(|line| line.quantity > 0));
        }
    }

    #[test]
    fn government_bodies_are_named_after_their_city() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let government = (0..200)
            .map(|_| Customer::draw(&mut rng, DemoRegion::SouthChina))
            .find(Customer::is_government)
            .unwrap();
        assert!(government.name.contains('市'), "{}", government.name);
        let dm = government.contact(
            &mut rng,
            ContactId::new("c-1").unwrap(),
            ContactRole::DecisionMaker,
            Stance::Neutral,
            Influence::High,
        );
        assert!(GOVERNMENT_DECISION_MAKER_TITLES.contains(&dm.title.as_str()));
        assert!(dm.email.ends_with(".example.com"));
        assert_eq!(dm.phone.len(), 11);
    }
}
