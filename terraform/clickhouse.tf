# Managed ClickHouse (the v2 resource; v1 is deprecated), one host in yc.zone, the database, two users, and
# DataLens's read-only user where datalens.enabled.

resource "yandex_mdb_clickhouse_cluster_v2" "this" {
  name                = "${local.name}-clickhouse"
  description         = "finnhub-stream trades and bars"
  folder_id           = local.folder_id
  environment         = local.cfg.clickhouse.environment
  version             = local.cfg.clickhouse.version
  network_id          = yandex_vpc_network.this.id
  security_group_ids  = [yandex_vpc_security_group.cluster["clickhouse"].id]
  deletion_protection = local.cfg.yc.deletion_protection
  labels              = local.labels

  clickhouse = {
    resources = {
      resource_preset_id = local.cfg.clickhouse.preset
      disk_type_id       = local.cfg.clickhouse.disk_type
      disk_size          = local.cfg.clickhouse.disk_gb
    }
  }

  hosts = {
    main = {
      type             = "CLICKHOUSE"
      zone             = local.cfg.yc.zone
      subnet_id        = yandex_vpc_subnet.this[local.cfg.yc.zone].id
      assign_public_ip = local.cfg.clickhouse.public_access
    }
  }

  access = {
    data_transfer = true
    data_lens     = local.cfg.datalens.enabled
  }

  maintenance_window {
    type = "ANYTIME"
  }
}

resource "yandex_mdb_clickhouse_database" "this" {
  cluster_id = yandex_mdb_clickhouse_cluster_v2.this.id
  name       = local.cfg.clickhouse.database
}

# Data Transfer writes as transfer_writer; scripts/clickhouse-schema.sh runs the DDL as schema_owner.
locals {
  clickhouse_users = {
    writer = "transfer_writer"
    schema = "schema_owner"
  }
}

resource "random_password" "clickhouse" {
  for_each = local.clickhouse_users

  length  = 32
  special = false
}

resource "yandex_mdb_clickhouse_user" "this" {
  for_each = local.clickhouse_users

  cluster_id = yandex_mdb_clickhouse_cluster_v2.this.id
  name       = each.value
  password   = random_password.clickhouse[each.key].result

  permission {
    database_name = yandex_mdb_clickhouse_database.this.name
  }
}

# DataLens reads the views as datalens_reader (ci/datalens.sh gives the tool its password from the
# sensitive output below, never through a file). readonly = 2: no writes or DDL, but DataLens may set query
# settings, and the connection's own readonly (2) must not exceed the user's. Outside clickhouse_users: it
# exists only where DataLens is enabled.
resource "random_password" "datalens_reader" {
  count = local.cfg.datalens.enabled ? 1 : 0

  length  = 32
  special = false
}

resource "yandex_mdb_clickhouse_user" "datalens_reader" {
  count = local.cfg.datalens.enabled ? 1 : 0

  cluster_id = yandex_mdb_clickhouse_cluster_v2.this.id
  name       = "datalens_reader"
  password   = random_password.datalens_reader[0].result

  permission {
    database_name = yandex_mdb_clickhouse_database.this.name
  }

  settings {
    readonly = 2
  }
}
