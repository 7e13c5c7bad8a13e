# Example values only. The keys and tokens below are fake: generate your own
# with `consul keygen`, `nomad operator gossip keyring generate` and `uuidgen`.

name     = "hashistack"
region   = "us-west-2"
key_name = "hashistack-demo"

server_count         = 1
client_count         = 0
windows_client_count = 1

nomad_version  = "1.10.5"
consul_version = "1.21.4"

retry_join = "provider=aws tag_key=ConsulAutoJoin tag_value=auto-join"

consul_encrypt_key  = "LYy8NIV5hOTneYqbuc74wz2YSP4/V/p2K0G4jjpiafM="
nomad_gossip_key    = "V1bIesApGczm9QvdU4Q/ODyohckyj0VXT87ak9FtjYo="
consul_master_token = "4775004c-3516-40a1-af9e-1873cf0d8543"
consul_agent_token  = "44439d89-180b-4a18-8373-3f3d1425f238"
