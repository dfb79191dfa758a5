"""Every package's tables on `Base.metadata` (migrations' autogenerate, schema tests).

The composition root knows the domains; `tandem.db` does not. One line per package with tables.
"""

from tandem.analytics import models as analytics_models  # noqa: F401
from tandem.attachments import models as attachments_models  # noqa: F401
from tandem.channels import models as channels_models  # noqa: F401
from tandem.contacts import models as contacts_models  # noqa: F401
from tandem.conversations import models as conversations_models  # noqa: F401
from tandem.desk import models as desk_models  # noqa: F401
from tandem.identity import models as identity_models  # noqa: F401
from tandem.knowledge import models as knowledge_models  # noqa: F401
from tandem.llm import models as llm_models  # noqa: F401
from tandem.routing import models as routing_models  # noqa: F401
from tandem.shop import models as shop_models  # noqa: F401
