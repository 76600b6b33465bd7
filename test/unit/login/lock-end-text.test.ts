import { describe, expect, it } from "vitest";
import { lockEndText, lockedPage } from "../../../src/login/login-views.js";

describe("the lock end on the locked page", () => {
  it("is in UTC with the date, rounded up to the next minute unless on one", () => {
    expect(lockEndText(new Date("2030-01-02T14:32:30.000Z"))).toBe("The lock ends by itself: try again after 14:33 UTC on 2 January 2030.");
    expect(lockEndText(new Date("2030-01-02T14:33:00.000Z"))).toBe("The lock ends by itself: try again after 14:33 UTC on 2 January 2030.");
    expect(lockEndText(new Date("2030-01-02T14:33:00.001Z"))).toBe("The lock ends by itself: try again after 14:34 UTC on 2 January 2030.");
    // Rounding up may carry into the next day, month and year.
    expect(lockEndText(new Date("2030-12-31T23:59:01.000Z"))).toBe("The lock ends by itself: try again after 00:00 UTC on 1 January 2031.");
    expect(lockEndText(new Date("2031-07-09T05:04:00.000Z"))).toBe("The lock ends by itself: try again after 05:04 UTC on 9 July 2031.");
  });

  it("is a paragraph of its own after today's alert, only when given", () => {
    const today = lockedPage();
    expect(today).not.toContain("lock-end");
    const withEnd = lockedPage({ until: new Date("2030-01-02T14:33:00.000Z") });
    expect(withEnd.replace(/<p id="lock-end">[^<]*<\/p>\n/, "")).toBe(today);
    expect(withEnd).toMatch(/role="alert">User is locked\. Contact your administrator to unlock it\.<\/p>\n<p id="lock-end">The lock ends by itself/);
  });
});
