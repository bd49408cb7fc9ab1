from django.db import migrations


def create_organizers(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Organizers")


def remove_organizers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Organizers").delete()


class Migration(migrations.Migration):
    """The Organizers role. Its permissions are kept complete by plumbers.roles after every
    migrate (so models added later are included)."""

    dependencies = [("plumbers", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_organizers, remove_organizers)]
