"""The shop as the app holds it: the written policy plus a way to get an adapter.

Built once at start-up (`build_shop(settings)`) and kept on `Services.shop`. The demo
adapter works inside the caller's session, so adapters are made per unit of work with
`shop.adapter(session)`; the HTTP adapter shares one connection pool.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tandem.config import Settings
from tandem.core.clock import Clock, SystemClock
from tandem.shop.adapter import ShopAdapter
from tandem.shop.demo_adapter import DemoShopAdapter
from tandem.shop.http_adapter import HttpShopAdapter
from tandem.shop.policy_config import ShopPolicy, load_policy


class Shop:
    def __init__(
        self,
        policy: ShopPolicy,
        *,
        http: HttpShopAdapter | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.policy = policy
        self._http = http
        self._clock = clock or SystemClock()

    @property
    def kind(self) -> str:
        return "http" if self._http is not None else "demo"

    def adapter(self, session: AsyncSession) -> ShopAdapter:
        if self._http is not None:
            return self._http
        return DemoShopAdapter(session, self._clock)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()


def build_shop(settings: Settings, *, clock: Clock | None = None) -> Shop:
    """Read the policy file and choose the adapter named in settings.

    Raises `PolicyError` (with the bad key) for a bad policy file, and ValueError when the
    HTTP adapter is chosen without a URL.
    """
    policy = load_policy(settings.shop_policy_file)
    if settings.shop_adapter == "http":
        if not settings.shop_http_url:
            raise ValueError(
                "TANDEM_SHOP_ADAPTER=http needs TANDEM_SHOP_HTTP_URL, the base URL of the "
                "shop's backend (see docs/shop-adapter.md)"
            )
        return Shop(policy, http=HttpShopAdapter(settings.shop_http_url), clock=clock)
    return Shop(policy, clock=clock)
