"""The demo shop's intent taxonomy: one list that the classifier, the engine and the knowledge
base all speak. Pre-sale, in-sale and after-sale, plus the social and hand-off intents."""

from __future__ import annotations

# Pre-sale and general questions a knowledge base answers.
KNOWLEDGE_INTENTS: frozenset[str] = frozenset(
    {
        "product_info",
        "stock",
        "price_promotion",
        "coupon",
        "size",
        "shipping_info",
        "payment",
        "invoice",
        "how_to_use",
        "warranty",
    }
)
# About one of the customer's own orders.
ORDER_INTENTS: frozenset[str] = frozenset(
    {
        "order_status",
        "where_is_parcel",
        "urge_shipping",
        "refund",
        "refund_status",
        "return",
        "exchange",
        "cancel_order",
        "change_address",
        "damaged_or_wrong_item",
        "quality_issue",
    }
)
SOCIAL_INTENTS: frozenset[str] = frozenset({"greeting", "thanks", "bye"})
INTENTS: frozenset[str] = (
    KNOWLEDGE_INTENTS | ORDER_INTENTS | SOCIAL_INTENTS | frozenset({"human", "complaint"})
)
