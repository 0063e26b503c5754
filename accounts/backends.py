from django.contrib.auth.backends import ModelBackend

from .models import User


class UserBackend(ModelBackend):
    """Django's ModelBackend, reading the signed-in user's agent profile in the same query.

    Every page asks whether its user is an agent (navigation, desk access); without the join that
    is a second query per request, and a third for an end user, who has no profile to find.
    """

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("agent_profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
