//! Quote commands: created on a deal the caller may edit, then edited, submitted, approved,
//! rejected, sent, accepted or expired through `Quote::decide` in a storage transaction, and
//! written into the deal document's `quotes` section as the server.

use std::sync::Arc;

use dealflow_core::sync::DocumentId;
use dealflow_core::{
    Access, Approver, Currency, DEAL_TYPE, DealId, NewQuote, OrgError, Quote, QuoteCommand,
    QuoteContext, QuoteId, TaxBasis, UserId, write_deal_quote,
};
use serde::Deserialize;
use time::Date;

use super::{Arbiter, now, random_id};
use crate::error::AppError;
use crate::storage::StoredQuote;

/// A quote to start on a deal.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewQuoteRequest {
    /// The quote's currency.
    pub currency: Currency,
    /// The last day the offer holds.
    pub valid_until: Date,
    /// Whether prices are before tax (the default) or include it.
    #[serde(default)]
    pub tax_basis: TaxBasis,
}

impl Arbiter {
    /// Starts a quote on deal document `document`, owned by `by`, who must be able to edit the
    /// deal; writes it into the deal.
    pub async fn create_quote(
        &self,
        by: &UserId,
        document: DocumentId,
        request: NewQuoteRequest,
    ) -> Result<StoredQuote, AppError> {
        let unavailable = || AppError::DocumentUnavailable {
            document: document.to_string(),
        };
        let (record, access) = self
            .relay
            .record_for(document, by)
            .await?
            .ok_or_else(unavailable)?;
        if record.kind != DEAL_TYPE {
            return Err(dealflow_core::Error::from(OrgError::NotADeal).into());
        }
        if access < Access::Write {
            return Err(AppError::ReadOnlyDocument {
                document: document.to_string(),
            });
        }
        let quote = Quote::new(
            NewQuote {
                id: QuoteId::new(random_id("q")?).map_err(dealflow_core::Error::from)?,
                deal: DealId::new(document.to_string()).map_err(dealflow_core::Error::from)?,
                owner: by.clone(),
                currency: request.currency,
                valid_until: request.valid_until,
                tax_basis: request.tax_basis,
            },
            now(),
        );
        let stored = StoredQuote { document, quote };
        if !self.store.insert_quote(stored.clone()).await? {
            return Err(AppError::Internal {
                detail: format!("quote id {} collided", stored.quote.id),
            });
        }
        self.write_quote(by, &stored, "start").await;
        Ok(stored)
    }

    /// The quotes on a deal document `user` may see.
    pub async fn quotes_on(
        &self,
        user: &UserId,
        document: DocumentId,
    ) -> Result<Vec<StoredQuote>, AppError> {
        self.relay
            .record_for(document, user)
            .await?
            .ok_or_else(|| AppError::DocumentUnavailable {
                document: document.to_string(),
            })?;
        Ok(self.store.quotes_on(document).await?)
    }

    /// A quote on a deal `user` may see. A quote on a deal they may not see is unavailable, the
    /// same as a missing one.
    pub async fn quote(&self, user: &UserId, id: &str) -> Result<(StoredQuote, Access), AppError> {
        let unavailable = || AppError::QuoteUnavailable {
            quote: id.chars().take(64).collect(),
        };
        let quote_id = QuoteId::new(id).map_err(|_| unavailable())?;
        let stored = self.store.quote(quote_id).await?.ok_or_else(unavailable)?;
        let (_, access) = self
            .relay
            .record_for(stored.document, user)
            .await?
            .ok_or_else(unavailable)?;
        Ok((stored, access))
    }

    /// Decides `command` on quote `id` as `by` (who must be able to edit its deal; approvers act
    /// at their level: managers 1, admins 2), stores it with compare-and-set on the version, and
    /// writes the quote's new state into the deal.
    pub async fn quote_command(
        &self,
        by: &UserId,
        id: &str,
        command: QuoteCommand,
    ) -> Result<StoredQuote, AppError> {
        let (stored, access) = self.quote(by, id).await?;
        if access < Access::Write {
            return Err(AppError::ReadOnlyDocument {
                document: stored.document.to_string(),
            });
        }
        let policy = self.policy.clone();
        let context = QuoteContext {
            actor: Approver {
                user: by.clone(),
                level: self.approval_level(by),
            },
            now: now(),
            offset: self.offset,
        };
        let action = command.action.kind();
        let decided = self
            .store
            .decide_quote(
                stored.quote.id.clone(),
                Box::new(move |current| Ok(current.quote.decide(&command, &policy, &context)?)),
            )
            .await?;
        let next = match decided {
            None => {
                return Err(AppError::QuoteUnavailable {
                    quote: id.chars().take(64).collect(),
                });
            }
            Some(Err(refused)) => return Err(refused.into()),
            Some(Ok(next)) => next,
        };
        let summary = action.label().en;
        self.write_quote(by, &next, &summary).await;
        tracing::info!(quote = %next.quote.id, by = %by, ?action, version = next.quote.version, "decided a quote command");
        Ok(next)
    }

    /// Writes the quote's state into its deal document, as the server naming `by`: the state
    /// stored now, read under the deal's write lock, so that of two decisions written at once
    /// the later state is written last. The decision is committed already and stands either
    /// way; a failed write is logged, and the next command writes the whole state again.
    async fn write_quote(&self, by: &UserId, stored: &StoredQuote, summary: &str) {
        let lock = self.write_lock(stored.document);
        let _rewriting = lock.lock().await;
        let latest = match self.store.quote(stored.quote.id.clone()).await {
            Ok(Some(latest)) => latest.quote,
            Ok(None) => stored.quote.clone(),
            Err(error) => {
                tracing::error!(quote = %stored.quote.id, %error, "cannot reread the quote");
                return;
            }
        };
        let quote = Arc::new(latest);
        let written = self
            .relay
            .write_as_server(
                stored.document,
                by.clone(),
                format!("quote {}: {summary}", quote.id),
                None,
                Box::new(move |tx| write_deal_quote(tx, &quote).map(|_| ())),
            )
            .await;
        if let Err(error) = written {
            tracing::error!(quote = %stored.quote.id, %error, "cannot write the quote into its deal");
        }
    }
}
