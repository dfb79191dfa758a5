// Times on the staff pages are told in the shop's time zone (its policy's, from /auth/me),
// whatever the zone of the agent's computer: "承诺回复 09:00" is the hour the customer was told.
(function () {
  "use strict";
  let zone = "Asia/Shanghai";
  const MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function parts(iso) {
    const fmt = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
    const out = {};
    for (const p of fmt.formatToParts(new Date(iso))) out[p.type] = p.value;
    // Month and day without a leading zero, whatever the locale's pattern pads them to.
    out.month = String(Number(out.month));
    out.day = String(Number(out.day));
    return out;
  }

  window.shopTime = {
    setZone(name) { if (name) zone = name; },
    zone() { return zone; },
    // 14:05
    hhmm(iso) { const p = parts(iso); return `${p.hour}:${p.minute}`; },
    // 12-3 14:05
    short(iso) { const p = parts(iso); return `${p.month}-${p.day} ${p.hour}:${p.minute}`; },
    // 12月3日 14:05 / Dec 3, 14:05
    full(iso, lang) {
      const p = parts(iso);
      return (lang || "zh").startsWith("en")
        ? `${MONTHS_EN[Number(p.month) - 1]} ${p.day}, ${p.hour}:${p.minute}`
        : `${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
    },
  };
})();
