# Generated from a schema diff on 2026-11-25 16:54.
from peewee import *


def up(migrator, db):
    class User(Model):
        username = CharField(unique=True, max_length=60)
        display_name = CharField(max_length=120)
        role = CharField(max_length=20)
        password_hash = CharField()
        active = BooleanField(default=True)
        failed_attempts = IntegerField(default=0)
        locked_until = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'app_user'
    db.create_tables([User])

    class Case(Model):
        reference = CharField(unique=True, max_length=40)
        received_at = DateTimeField(index=True)
        stage = CharField(index=True, max_length=24)
        is_open = BooleanField(index=True, default=True)
        assigned_to = ForeignKeyField(User, null=True, on_delete='SET NULL')
        applicant_name = CharField(max_length=200)
        postcode = CharField(max_length=10, default='')
        search_text = CharField(max_length=400, default='')
        dissatisfied = BooleanField()
        dissatisfaction_reason = TextField(default='')
        threshold_met = BooleanField()
        verdict_json = TextField()
        policy_name = CharField(max_length=120)
        policy_version = CharField(max_length=40)
        risk_score = IntegerField(null=True)
        high_risk = BooleanField(default=False)
        triage_json = TextField(null=True)
        next_due_on = DateField(index=True, null=True)
        next_due_step = CharField(null=True, max_length=40)
        extended = BooleanField(default=False)
        accepted_on = DateField(null=True)
        decided_on = DateField(null=True)
        closed_at = DateTimeField(null=True)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        updated_by = CharField(max_length=60, default='')
        class Meta:
            database = db
            table_name = 'case_request'
            indexes = ((('is_open', 'next_due_on'), False),)
    db.create_tables([Case])

    class AgencyUpdateRequest(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE')
        agency = CharField(max_length=40)
        requested_on = DateField()
        due_on = DateField()
        requested_by = CharField(max_length=60)
        answered_on = DateField(null=True)
        answer = TextField(default='')
        class Meta:
            database = db
            table_name = 'agency_update_request'
    db.create_tables([AgencyUpdateRequest])

    class Appeal(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE')
        against = CharField(max_length=20)
        lodged_on = DateField()
        grounds = TextField()
        stage_before = CharField(max_length=24)
        recorded_by = CharField(max_length=60)
        decided_on = DateField(null=True)
        upheld = BooleanField(null=True)
        independent_chair = CharField(null=True, max_length=200)
        decision_reason = TextField(default='')
        class Meta:
            database = db
            table_name = 'appeal'
    db.create_tables([Appeal])

    class Applicant(Model):
        case = ForeignKeyField(Case, unique=True, on_delete='CASCADE')
        name = CharField(max_length=200)
        address = TextField(default='')
        postcode = CharField(max_length=10, default='')
        email = CharField(null=True, max_length=320)
        phone = CharField(null=True, max_length=40)
        preferred_contact = CharField(max_length=10)
        on_behalf_of = TextField(null=True)
        vulnerabilities = TextField(null=True)
        needs_json = TextField(default='[]')
        advocate = TextField(null=True)
        consent_to_share = BooleanField(null=True)
        class Meta:
            database = db
            table_name = 'applicant'
    db.create_tables([Applicant])

    class AuditEvent(Model):
        case = ForeignKeyField(Case, null=True, on_delete='CASCADE')
        actor = CharField(max_length=60)
        at = DateTimeField(index=True)
        action = CharField(max_length=40)
        from_stage = CharField(null=True, max_length=24)
        to_stage = CharField(null=True, max_length=24)
        reason = TextField(default='')
        details_json = TextField(default='{}')
        class Meta:
            database = db
            table_name = 'audit_event'
    db.create_tables([AuditEvent])

    class CaseView(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE')
        username = CharField(max_length=60)
        at = DateTimeField()
        class Meta:
            database = db
            table_name = 'case_view'
    db.create_tables([CaseView])

    class Deadline(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE')
        step = CharField(max_length=40)
        label = CharField(max_length=200)
        agency = CharField(null=True, max_length=40)
        ref_id = IntegerField(null=True)
        due_on = DateField()
        closed_at = DateTimeField(null=True)
        closed_how = CharField(null=True, max_length=20)
        class Meta:
            database = db
            table_name = 'deadline'
            indexes = ((('closed_at', 'due_on'), False), (('case', 'step'), False))
    db.create_tables([Deadline])

    class Incident(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE')
        key = CharField(max_length=40)
        position = IntegerField()
        occurred_on = DateField()
        description = TextField(default='')
        location = TextField(default='')
        hate_related = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'incident'
            indexes = ((('case', 'key'), True),)
    db.create_tables([Incident])

    class Letter(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE')
        kind = CharField(max_length=40)
        version_no = IntegerField()
        path = TextField()
        checksum = CharField(max_length=64)
        large_print = BooleanField(default=False)
        recipient = CharField(max_length=200, default='')
        created_by = CharField(max_length=60)
        created_at = DateTimeField()
        sent_on = DateField(null=True)
        channel = CharField(null=True, max_length=20)
        class Meta:
            database = db
            table_name = 'letter'
    db.create_tables([Letter])

    class Note(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE')
        author = CharField(max_length=60)
        created_at = DateTimeField()
        text = TextField()
        class Meta:
            database = db
            table_name = 'note'
    db.create_tables([Note])

    class Recommendation(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE')
        position = IntegerField()
        agency = CharField(max_length=40)
        action = TextField()
        due_on = DateField()
        done_on = DateField(null=True)
        done_note = TextField(default='')
        done_by = CharField(null=True, max_length=60)
        class Meta:
            database = db
            table_name = 'recommendation'
    db.create_tables([Recommendation])

    class Report(Model):
        incident = ForeignKeyField(Incident, on_delete='CASCADE')
        position = IntegerField()
        agency = CharField(max_length=40)
        reported_on = DateField()
        reporter = CharField(max_length=200)
        agency_reference = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'report'
    db.create_tables([Report])

    class Review(Model):
        case = ForeignKeyField(Case, unique=True, on_delete='CASCADE')
        due_on = DateField()
        extended_to = DateField(null=True)
        extension_reason = TextField(default='')
        meeting_on = DateField(null=True)
        chair_name = CharField(max_length=200, default='')
        agencies_json = TextField(default='[]')
        participation = CharField(max_length=20, default='')
        not_invited_reason = TextField(default='')
        findings = TextField(default='')
        summary = TextField(default='')
        submitted_at = DateTimeField(null=True)
        approved_by = CharField(null=True, max_length=60)
        approved_by_name = CharField(null=True, max_length=120)
        approved_at = DateTimeField(null=True)
        returned_comments = TextField(default='')
        class Meta:
            database = db
            table_name = 'review'
    db.create_tables([Review])

    class ThresholdDecision(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE')
        decision = CharField(max_length=20)
        ground = CharField(max_length=40)
        reason = TextField(default='')
        computed_met = BooleanField()
        against_verdict = BooleanField(default=False)
        decided_by = CharField(max_length=60)
        decided_at = DateTimeField()
        policy_name = CharField(max_length=120)
        policy_version = CharField(max_length=40)
        class Meta:
            database = db
            table_name = 'threshold_decision'
    db.create_tables([ThresholdDecision])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('threshold_decision'))
    migrator.migrate(migrator.drop_table('review'))
    migrator.migrate(migrator.drop_table('report'))
    migrator.migrate(migrator.drop_table('recommendation'))
    migrator.migrate(migrator.drop_table('note'))
    migrator.migrate(migrator.drop_table('letter'))
    migrator.migrate(migrator.drop_table('incident'))
    migrator.migrate(migrator.drop_table('deadline'))
    migrator.migrate(migrator.drop_table('case_view'))
    migrator.migrate(migrator.drop_table('audit_event'))
    migrator.migrate(migrator.drop_table('applicant'))
    migrator.migrate(migrator.drop_table('appeal'))
    migrator.migrate(migrator.drop_table('agency_update_request'))
    migrator.migrate(migrator.drop_table('case_request'))
    migrator.migrate(migrator.drop_table('app_user'))
