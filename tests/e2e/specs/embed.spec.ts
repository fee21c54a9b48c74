import { expect, test } from "@playwright/test";

import { baseUrl } from "../support/urls.js";

test("embed.html renders the board inside a foreign page without style leakage either way", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${baseUrl()}/embed.html`);
  const board = page.locator("dealflow-board");
  await expect(board.getByTestId("board")).toBeVisible({ timeout: 30_000 });
  await expect(board.getByTestId("column-qualify")).toBeVisible();
  await page.screenshot({ path: "artifacts/screenshots/embed-en.png", fullPage: true });

  // The page's styles do not reach inside: no magenta dotted borders, no serif, no yellow controls.
  const inside = await board.getByTestId("column-qualify").evaluate((column) => {
    const style = getComputedStyle(column);
    const select = column.getRootNode() instanceof ShadowRoot
      ? (column.getRootNode() as ShadowRoot).querySelector("select")
      : null;
    const heading = column.querySelector("h3");
    return {
      border: style.borderTopStyle,
      font: style.fontFamily,
      selectBackground: select === null ? "" : getComputedStyle(select).backgroundColor,
      headingTransform: heading === null ? "" : getComputedStyle(heading).textTransform,
      inShadow: column.getRootNode() instanceof ShadowRoot,
    };
  });
  expect(inside.inShadow).toBe(true);
  expect(inside.border).not.toBe("dotted");
  expect(inside.font).not.toContain("Georgia");
  expect(inside.selectBackground).not.toBe("rgb(255, 255, 0)");
  expect(inside.headingTransform).toBe("none");

  // The documented theming does: --dealflow-accent and ::part(card).
  const accent = await board.evaluate((element) =>
    getComputedStyle(element).getPropertyValue("--dealflow-accent").trim(),
  );
  expect(accent).toBe("#7f3bf5");

  // The components' styles do not reach out: the portal's own elements keep theirs.
  const outside = await page.evaluate(() => {
    const text = document.getElementById("portal-text");
    const box = document.getElementById("portal-box");
    return {
      textColour: text === null ? "" : getComputedStyle(text).color,
      textFont: text === null ? "" : getComputedStyle(text).fontFamily,
      boxBorder: box === null ? "" : getComputedStyle(box).borderTopStyle,
      bodyBackground: getComputedStyle(document.body).backgroundColor,
      globalSheets: document.styleSheets.length,
    };
  });
  expect(outside.textColour).toBe("rgb(0, 128, 0)");
  expect(outside.textFont).toContain("Georgia");
  expect(outside.boxBorder).toBe("dotted");
  expect(outside.bodyBackground).toBe("rgb(255, 250, 240)");
  // Only the page's own <style>: the components add no global stylesheet.
  expect(outside.globalSheets).toBe(1);
  expect(errors).toEqual([]);
});
