"""Imports every package's tables so that `Base.metadata` knows them all (migrations, tests).

One line per domain package that owns tables.
"""

from tandem.channels import models as channels_models  # noqa: F401
from tandem.conversations import models as conversations_models  # noqa: F401
from tandem.desk import models as desk_models  # noqa: F401
from tandem.identity import models as identity_models  # noqa: F401
from tandem.knowledge import models as knowledge_models  # noqa: F401
from tandem.llm import models as llm_models  # noqa: F401
from tandem.routing import models as routing_models  # noqa: F401
from tandem.shop import models as shop_models  # noqa: F401
