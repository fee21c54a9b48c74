import { expect, test } from "@playwright/test";

import { baseUrl } from "../support/urls.js";

test("the demo app lists the seeded users, signs in as one, and switches language", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(baseUrl());
  const app = page.locator("dealflow-demo-app");
  // Seeded: an admin, two managers and four reps.
  await expect(app.locator("button[data-user]")).toHaveCount(7);
  await page.screenshot({ path: "artifacts/screenshots/demo-login-zh-CN.png" });
  await app.locator("button[data-user=zhang-wei]").click();
  await expect(page).toHaveURL(/#\/board$/);
  await expect(app.getByTestId("signed-in")).toHaveText("张伟");
  const board = page.locator("dealflow-board");
  await expect(board.getByTestId("board")).toBeVisible({ timeout: 30_000 });
  await expect(board).toContainText("线索验证");

  await app.getByTestId("lang").selectOption("en");
  await expect(app.getByTestId("signed-in")).toHaveText("Zhang Wei");
  await expect(board).toContainText("Lead qualification");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");

  await app.getByRole("link", { name: "My tasks" }).click();
  await expect(page.locator("dealflow-tasks")).toContainText("My tasks");
  await page.screenshot({ path: "artifacts/screenshots/demo-tasks-en.png" });
  expect(errors).toEqual([]);
});
