# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_amoe_global_optspecs
    string join \n store= operator= o/output= h/help V/version
end

function __fish_amoe_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_amoe_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_amoe_using_subcommand
    set -l cmd (__fish_amoe_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c amoe -n "__fish_amoe_needs_command" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_needs_command" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_needs_command" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_needs_command" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "init" -d 'Create the store, or bring an existing one up to date'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "beneficiary" -d 'Beneficiaries: the public bodies, by SIRET, with their lot and contacts'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "host" -d 'Hosts: the machines that run amoe-agent'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "site" -d 'Sites: web sites delivered through the CDN'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "audit" -d 'The audit journal: list it, verify its hash chain'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "ca" -d 'The project\'s certificate authority: client certificates, revocation'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "flush" -d 'Purge a site\'s cache on every host that serves it'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "outbox" -d 'Operations owed to hosts that did not confirm them yet'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "logs" -d 'Access logs: statistics of files, collection from hosts, delivery to beneficiaries'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "user" -d 'People with an account: engineers and customers\' reporters'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "project" -d 'Projects tickets are filed under (an application or a set of them)'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "space" -d 'Spaces: one isolated space per customer structure'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "acl" -d 'Rights of users on projects'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "ticket" -d 'Tickets: requests, incidents, changes, releases; their history, SLA clocks'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "quote" -d 'Quotes asked by beneficiaries: due 10 working days after the request (002 §5.4.2)'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "bpu" -d 'Price schedules (BPU) of the lots'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "order" -d 'Orders placed by beneficiaries over their lot\'s BPU'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "contract" -d 'Support contracts: daily rate, cap, VAT'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "intervention" -d 'Interventions counted against a contract (004 §9.3)'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "incident" -d 'Incidents: start, detection, responsibility, measures, restoration (QS-02 to QS-05)'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "change" -d 'Change requests and when their push took effect (QS-06)'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "deploy" -d 'Deploy a site\'s release to every host: two phases, all or nothing; switch, list, rollback'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "extranet" -d 'The beneficiaries\' extranet: a password-protected web site over this store'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "report" -d 'Contract reports: canut, qos, monthly, interventions, weekly; a site\'s dossier'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "stats" -d 'A site\'s figures from the collected logs (Paris days): attendance, volume, cache, times'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "export" -d 'Write the whole store as JSON and CSV files, with a manifest of SHA-256 sums'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "import" -d 'Restore an export into a new or empty store'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "backup" -d 'Take a consistent copy of the store while others keep using it'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "store" -d 'The store as a whole: copy it to another backend'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "demo" -d 'Show what amoe does, step by step, in a temporary directory'
complete -c amoe -n "__fish_amoe_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand init" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand init" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand init" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand init" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -f -a "add" -d 'Add a beneficiary'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -f -a "list" -d 'List beneficiaries'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -f -a "show" -d 'Show one beneficiary'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -f -a "update" -d 'Change a beneficiary\'s name, lot or contacts'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -f -a "remove" -d 'Remove a beneficiary (refused while sites belong to it)'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and not __fish_seen_subcommand_from add list show update remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from add" -l siret -d 'SIRET: 14 digits with a valid key (spaces allowed)' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from add" -l name -d 'Name of the body' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from add" -l lot -d 'Lot of the framework agreement, 1 to 14 (1: whole territory; 2-14: one region each); leave out for a customer under another contract' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from add" -l email -d 'Contact e-mail address (repeatable)' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from add" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from add" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from update" -l name -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from update" -l lot -d 'New lot, 1 to 14, or `none` (a customer outside the CANUT agreement)' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from update" -l email -d 'Replace the contacts with these (repeatable)' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from update" -l add-email -d 'Add a contact (repeatable)' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from update" -l remove-email -d 'Remove a contact (repeatable)' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from update" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from update" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from remove" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from remove" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a beneficiary'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from help" -f -a "list" -d 'List beneficiaries'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one beneficiary'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a beneficiary\'s name, lot or contacts'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a beneficiary (refused while sites belong to it)'
complete -c amoe -n "__fish_amoe_using_subcommand beneficiary; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -f -a "status" -d 'Ask hosts\' agents for their status (all hosts, or one)'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -f -a "add" -d 'Add a host'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -f -a "list" -d 'List hosts'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -f -a "show" -d 'Show one host'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -f -a "update" -d 'Change a host\'s address or location'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -f -a "remove" -d 'Remove a host (refused while sites are served by it)'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -f -a "enroll" -d 'Issue the server certificate of a host\'s agent and write its bundle'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -f -a "renew" -d 'Issue a new server certificate for an enrolled host'
complete -c amoe -n "__fish_amoe_using_subcommand host; and not __fish_seen_subcommand_from status add list show update remove enroll renew help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from status" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from status" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from status" -l pending -d 'What each host is still owed: operations, since when, the last error, parked ones'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from add" -l address -d 'Where its agent\'s control API listens, HOST:PORT ([::1]:7443 for IPv6)' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from add" -l location -d 'A free label: data centre, city' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from add" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from add" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from update" -l address -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from update" -l location -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from update" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from update" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from update" -l clear-location -d 'Remove the location label'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from remove" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from remove" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from enroll" -l out -d 'Directory to write the bundle to [default: ./NAME-bundle]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from enroll" -l days -d 'Validity in days' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from enroll" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from enroll" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from enroll" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from enroll" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from enroll" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from renew" -l out -d 'Directory to write the bundle to [default: ./NAME-bundle]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from renew" -l days -d 'Validity in days' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from renew" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from renew" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from renew" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from renew" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from renew" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "status" -d 'Ask hosts\' agents for their status (all hosts, or one)'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a host'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "list" -d 'List hosts'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one host'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a host\'s address or location'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a host (refused while sites are served by it)'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "enroll" -d 'Issue the server certificate of a host\'s agent and write its bundle'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "renew" -d 'Issue a new server certificate for an enrolled host'
complete -c amoe -n "__fish_amoe_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "push" -d 'Send the site\'s configuration (domains, origins, rules, activation) to its hosts'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "activate" -d 'Serve the site through the cache again, on every host'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "deactivate" -d 'Pass the site through to its origin without caching, on every host'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "rules" -d 'Validate a rules file, keep it as the site\'s new rules version and push it; show or roll back the kept versions'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "cert" -d 'Install a site\'s HTTPS certificate on its hosts, or list what they serve'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "explain" -d 'Which rule applies to a URL, and why'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "add" -d 'Add a site'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "list" -d 'List sites'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "show" -d 'Show one site'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "update" -d 'Change a site'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "remove" -d 'Remove a site; its hosts stop serving it at once'
complete -c amoe -n "__fish_amoe_using_subcommand site; and not __fish_seen_subcommand_from push activate deactivate rules cert explain add list show update remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from push" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from push" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from push" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from push" -l dry-run -d 'Show what would be sent, change nothing'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from push" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from activate" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from activate" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from activate" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from activate" -l dry-run
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from activate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from activate" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from deactivate" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from deactivate" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from deactivate" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from deactivate" -l dry-run
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from deactivate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from deactivate" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from rules" -l file -d 'The rules file (TOML)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from rules" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from rules" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from rules" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from rules" -l dry-run -d 'Validate and show, change nothing'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from rules" -l show -d 'Print the rules in force (with -o json, every kept version)'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from rules" -l rollback -d 'Keep the previous version as the newest and push it'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from rules" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from rules" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -l cert -d 'PEM chain, the site\'s certificate first' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -l key -d 'PEM private key' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -l directory -d 'The ACME directory (default: Let\'s Encrypt\'s production directory)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -l email -d 'Contact address for the ACME account' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -l acme-ca -d 'Extra CA certificates (PEM) trusted for the ACME server\'s own HTTPS (env `AMOE_ACME_CA`)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -l acme -d 'Order the certificate from an ACME server (HTTP-01, answered by the site\'s hosts)'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -l dry-run -d 'Check and show, change nothing'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -a "list" -d 'The certificate each host serves, per site: names, issuer, expiry'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -a "renew" -d 'Order again, from ACME, the certificates that expire soon (for cron)'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from cert" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from explain" -l content-type -d 'The response\'s content type, for content-type and group rules' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from explain" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from explain" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from explain" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from explain" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l domain -d 'Hostname it answers for (repeatable, at least one); each belongs to one site only' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l beneficiary -d 'SIRET of the beneficiary it belongs to' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l origin -d 'Origin URL, http or https (repeatable; at least one unless the site is --static)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l category -d 'permanent, ephemeral or recurring' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l host -d 'Host that serves it (repeatable)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l https-redirect -d 'true: plain-HTTP requests are redirected to HTTPS (301; 308 for other methods than GET/HEAD)' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l hsts-max-age -d 'Strict-Transport-Security max-age on HTTPS responses, in seconds (0 sends max-age=0, which tells browsers to forget it)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l hsts-subdomains -d 'true: HSTS covers subdomains (includeSubDomains)' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l health-path -d 'Path each origin is checked on, e.g. /health ("none": no active checks)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l health-interval -d 'Seconds between two checks of an origin (at least 1)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l health-failures -d 'Consecutive failed requests before an origin is taken out for a while (at least 1); a failed health check takes it out at once' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l max-body -d 'Largest request body (K, M, G suffixes; 413 beyond)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l stale-limit -d 'Seconds stale content is served when every origin fails (0: never)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l balance -d 'How requests are spread over the origins' -r -f -a "round-robin\t''
least-connections\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l origin-verify -d 'false: accept any certificate from the site\'s HTTPS origins (self-signed, expired); warned when set and on every push, logged by the hosts, shown by `site show`' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l origin-ca -d 'PEM file of extra CA certificates trusted for the site\'s HTTPS origins ("none": only the system\'s and the host\'s)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l origin-sni -d 'Name sent by SNI to the origins and verified, when the origin URL is an address or another name ("none": the URL\'s host)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l static -d 'true: served from its current release (`amoe deploy`), no origin needed' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l not-found-page -d 'A static site\'s 404 page, a path in its release (/404.html; "none": a plain 404)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l inactive -d 'Add it deactivated (passed through to its origin without caching)'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -l no-push -d 'Record and queue only: the hosts get it with `amoe outbox run` or `amoe site push`'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from list" -l beneficiary -d 'Only the sites of this beneficiary (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from list" -l host -d 'Only the sites served by this host' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l add-domain -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l remove-domain -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l add-origin -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l remove-origin -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l add-host -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l remove-host -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l category -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l beneficiary -d 'Move the site to another beneficiary (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l active -d 'true to serve it through the cache, false to pass it through to its origin' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l https-redirect -d 'true: plain-HTTP requests are redirected to HTTPS (301; 308 for other methods than GET/HEAD)' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l hsts-max-age -d 'Strict-Transport-Security max-age on HTTPS responses, in seconds (0 sends max-age=0, which tells browsers to forget it)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l hsts-subdomains -d 'true: HSTS covers subdomains (includeSubDomains)' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l health-path -d 'Path each origin is checked on, e.g. /health ("none": no active checks)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l health-interval -d 'Seconds between two checks of an origin (at least 1)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l health-failures -d 'Consecutive failed requests before an origin is taken out for a while (at least 1); a failed health check takes it out at once' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l max-body -d 'Largest request body (K, M, G suffixes; 413 beyond)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l stale-limit -d 'Seconds stale content is served when every origin fails (0: never)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l balance -d 'How requests are spread over the origins' -r -f -a "round-robin\t''
least-connections\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l origin-verify -d 'false: accept any certificate from the site\'s HTTPS origins (self-signed, expired); warned when set and on every push, logged by the hosts, shown by `site show`' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l origin-ca -d 'PEM file of extra CA certificates trusted for the site\'s HTTPS origins ("none": only the system\'s and the host\'s)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l origin-sni -d 'Name sent by SNI to the origins and verified, when the origin URL is an address or another name ("none": the URL\'s host)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l static -d 'true: served from its current release (`amoe deploy`), no origin needed' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l not-found-page -d 'A static site\'s 404 page, a path in its release (/404.html; "none": a plain 404)' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -l no-push -d 'Record and queue only: the hosts get it with `amoe outbox run` or `amoe site push`'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from remove" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from remove" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from remove" -l no-push -d 'Record and queue only: the hosts stop serving it at the next `amoe outbox run`'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "push" -d 'Send the site\'s configuration (domains, origins, rules, activation) to its hosts'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "activate" -d 'Serve the site through the cache again, on every host'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "deactivate" -d 'Pass the site through to its origin without caching, on every host'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "rules" -d 'Validate a rules file, keep it as the site\'s new rules version and push it; show or roll back the kept versions'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "cert" -d 'Install a site\'s HTTPS certificate on its hosts, or list what they serve'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "explain" -d 'Which rule applies to a URL, and why'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a site'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "list" -d 'List sites'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one site'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a site'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a site; its hosts stop serving it at once'
complete -c amoe -n "__fish_amoe_using_subcommand site; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -f -a "list" -d 'List journal entries, oldest first'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -f -a "verify" -d 'Check the hash chain; exit 1 naming the first bad entry'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from list" -l since -d 'Entries at or after: a date (midnight, Europe/Paris) or an RFC 3339 time' -r
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from list" -l operator -r
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from list" -l target -d '`kind:name` (e.g. `site:www`), or `kind:` for every target of a kind' -r
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from verify" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from verify" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from verify" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "list" -d 'List journal entries, oldest first'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the hash chain; exit 1 naming the first bad entry'
complete -c amoe -n "__fish_amoe_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -f -a "init" -d 'Create the CA: CA_DIR/ca.pem and CA_DIR/ca.key (mode 0600)'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -f -a "issue" -d 'Issue a client certificate: NAME.pem, NAME.key (mode 0600) and ca.pem in DIR'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -f -a "list" -d 'List every certificate issued, revoked or expired ones included'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -f -a "revoke" -d 'Revoke every valid certificate of NAME and rewrite CA_DIR/crl.pem'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -f -a "crl" -d 'Issue the revocation list again (valid one year) and push it to every host'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and not __fish_seen_subcommand_from init issue list revoke crl help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from init" -l name -d 'Name of the CA: its certificate is `amoe CA NAME`' -r
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from init" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from init" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from init" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from issue" -l role -d 'operator (everything) or ci (flush and deploy only)' -r -f -a "operator\t''
ci\t''"
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from issue" -l days -d 'Validity in days' -r
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from issue" -l out -d 'Directory to write to' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from issue" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from issue" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from issue" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from issue" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from issue" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from revoke" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from revoke" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from revoke" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from revoke" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from crl" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from crl" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from crl" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from crl" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from crl" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "init" -d 'Create the CA: CA_DIR/ca.pem and CA_DIR/ca.key (mode 0600)'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "issue" -d 'Issue a client certificate: NAME.pem, NAME.key (mode 0600) and ca.pem in DIR'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every certificate issued, revoked or expired ones included'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke every valid certificate of NAME and rewrite CA_DIR/crl.pem'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "crl" -d 'Issue the revocation list again (valid one year) and push it to every host'
complete -c amoe -n "__fish_amoe_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand flush" -l url -d 'An exact URL (every variant) or a path on every domain of the site (repeatable)' -r
complete -c amoe -n "__fish_amoe_using_subcommand flush" -l prefix -d 'A directory prefix (repeatable)' -r
complete -c amoe -n "__fish_amoe_using_subcommand flush" -l tag -d 'A tag from `Surrogate-Key` / `Cache-Tag` (repeatable)' -r
complete -c amoe -n "__fish_amoe_using_subcommand flush" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand flush" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand flush" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand flush" -l all -d 'The whole site'
complete -c amoe -n "__fish_amoe_using_subcommand flush" -l soft -d 'Mark stale instead of deleting (stale-if-error still protects the origin)'
complete -c amoe -n "__fish_amoe_using_subcommand flush" -l dry-run -d 'Show what would be sent, change nothing'
complete -c amoe -n "__fish_amoe_using_subcommand flush" -l timing -d 'Print the time from the command\'s start to each host\'s and the last confirmation'
complete -c amoe -n "__fish_amoe_using_subcommand flush" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand flush" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and not __fish_seen_subcommand_from list run metrics drop help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and not __fish_seen_subcommand_from list run metrics drop help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and not __fish_seen_subcommand_from list run metrics drop help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and not __fish_seen_subcommand_from list run metrics drop help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and not __fish_seen_subcommand_from list run metrics drop help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and not __fish_seen_subcommand_from list run metrics drop help" -f -a "list" -d 'What is still owed, oldest first, and what hosts refused for good (parked)'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and not __fish_seen_subcommand_from list run metrics drop help" -f -a "run" -d 'Deliver what is due (for cron; exit 3 when some hosts still fail)'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and not __fish_seen_subcommand_from list run metrics drop help" -f -a "metrics" -d 'What each host owes, in Prometheus\' text format (for node_exporter\'s textfile collector)'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and not __fish_seen_subcommand_from list run metrics drop help" -f -a "drop" -d 'Remove items from the outbox without delivering them (journaled)'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and not __fish_seen_subcommand_from list run metrics drop help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from run" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from run" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from run" -l all -d 'Also what waits for its next attempt (backoff: 1 s doubling to 1 h)'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from metrics" -l out -d 'Write to FILE (through a temporary file and a rename) instead of stdout' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from metrics" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from metrics" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from metrics" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from metrics" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from drop" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from drop" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from drop" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from drop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from drop" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "list" -d 'What is still owed, oldest first, and what hosts refused for good (parked)'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "run" -d 'Deliver what is due (for cron; exit 3 when some hosts still fail)'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "metrics" -d 'What each host owes, in Prometheus\' text format (for node_exporter\'s textfile collector)'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "drop" -d 'Remove items from the outbox without delivering them (journaled)'
complete -c amoe -n "__fish_amoe_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -f -a "stats" -d 'Statistics of log files: attendance, volume, cache, response times, top paths'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -f -a "collect" -d 'Fetch the hosts\' closed daily logs over SFTP into the local archive'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -f -a "deliver" -d 'Merge each site\'s day from every host and deliver it to the beneficiary with a notice'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -f -a "list" -d 'Each site, host and day in the archive, and what was delivered and notified'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -f -a "prune" -d 'Remove archived days older than the retention (at least 183 days)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -f -a "host" -d 'Where a host\'s logs are read over SFTP (shown when no flag is given)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -f -a "account" -d 'SFTP accounts logs are delivered to'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and not __fish_seen_subcommand_from stats collect deliver list prune host account help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -l by -d 'One row per day or per hour' -r -f -a "day\t'One row per day'
hour\t'One row per hour'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -l format -d 'Read the files as this format instead of finding it' -r -f -a "clf\t'Common log format'
combined\t'Combined log format (trailing time-taken and cache fields found from the first lines)'
combined-extra\t'Combined followed by the time taken in microseconds (`%D`) and a cache word'
w3c\t'W3C extended log format'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -l w3c-time-unit -d 'Unit of W3C time-taken' -r -f -a "s\t'Seconds, with decimals (the W3C draft; amoe-agent writes this)'
ms\t'Whole milliseconds (IIS)'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -l top -d 'How many of the most requested paths to list' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -l chart -d 'Also draw the periods as a chart (SVG or PNG, by the file\'s extension)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -l threads -d 'Worker threads (default: one per core)' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from collect" -l day -d 'Only this day (YYYY-MM-DD or `yesterday`); default: every closed file not archived' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from collect" -l site -d 'Only this site (`_unknown`: requests for no known site, collected, never delivered)' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from collect" -l host -d 'Only this host' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from collect" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from collect" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from collect" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from collect" -l accept-new-host-key -d 'Pin a host\'s SSH key seen for the first time (check it first)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from collect" -s q -l quiet -d 'No progress bars and no summary; errors only'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from collect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from collect" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -l site -d 'Only this site' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -l day -d 'Only this day (YYYY-MM-DD or `yesterday`)' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -l from -d 'First day of a period' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -l to -d 'Last day of a period' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -l lang -d 'Language of the notice' -r -f -a "fr\t''
en\t''"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -l again -d 'Deliver again days already delivered (on request)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -l allow-incomplete -d 'Deliver even when some hosts\' files are missing (said in the record and the notice)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -l accept-new-host-key -d 'Pin an SFTP account\'s SSH key seen for the first time'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -s q -l quiet -d 'No summary; errors only'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from deliver" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from list" -l site -d 'Only this site' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from prune" -l keep-days -d 'Days to keep (at least 183; default `keep_days` in [logs], else 183)' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from prune" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from prune" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from prune" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from host" -l ssh -d 'SSH endpoint, HOST[:PORT]' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from host" -l user -d 'SFTP user' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from host" -l log-dir -d 'The agent\'s log folder as the SFTP server shows it' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from host" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from host" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from host" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from host" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from host" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from account" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from account" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from account" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from account" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from account" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from account" -f -a "set" -d 'Set the account of a beneficiary, or of one site (which then overrides its beneficiary\'s)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from account" -f -a "list" -d 'List the accounts'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from account" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Statistics of log files: attendance, volume, cache, response times, top paths'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from help" -f -a "collect" -d 'Fetch the hosts\' closed daily logs over SFTP into the local archive'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from help" -f -a "deliver" -d 'Merge each site\'s day from every host and deliver it to the beneficiary with a notice'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from help" -f -a "list" -d 'Each site, host and day in the archive, and what was delivered and notified'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove archived days older than the retention (at least 183 days)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from help" -f -a "host" -d 'Where a host\'s logs are read over SFTP (shown when no flag is given)'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from help" -f -a "account" -d 'SFTP accounts logs are delivered to'
complete -c amoe -n "__fish_amoe_using_subcommand logs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -f -a "add" -d 'Add a user (an administrator does; the very first user must be an administrator)'
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -f -a "update" -d 'Change a user\'s name, administrator right, time right or login'
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -f -a "list" -d 'List users'
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -f -a "password" -d 'Mail a user a one-time link to set their extranet password (an administrator does)'
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -f -a "totp-reset" -d 'Remove a user\'s extranet second factor (a lost phone), and end their sessions (an administrator does)'
complete -c amoe -n "__fish_amoe_using_subcommand user; and not __fish_seen_subcommand_from add update list password totp-reset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from add" -l name -d 'Full name' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from add" -l login -d 'The operator login (`--operator`, `AMOE_OPERATOR`, `$USER`) that acts as this user' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from add" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from add" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from add" -l admin -d 'Every right on every project and space'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from add" -l time -d 'Sees the time spent on tickets'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from update" -l name -d 'Full name' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from update" -l admin -d 'Every right on every project and space' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from update" -l time -d 'Sees the time spent on tickets' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from update" -l login -d 'The operator login acting as this user (`none` removes it)' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from update" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from update" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from password" -l url -d 'The extranet\'s address, as users reach it (or `AMOE_EXTRANET_URL`)' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from password" -l hours -d 'Hours the link stays valid' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from password" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from password" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from password" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from password" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from password" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from totp-reset" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from totp-reset" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from totp-reset" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from totp-reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from totp-reset" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a user (an administrator does; the very first user must be an administrator)'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a user\'s name, administrator right, time right or login'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "list" -d 'List users'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "password" -d 'Mail a user a one-time link to set their extranet password (an administrator does)'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "totp-reset" -d 'Remove a user\'s extranet second factor (a lost phone), and end their sessions (an administrator does)'
complete -c amoe -n "__fish_amoe_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand project; and not __fish_seen_subcommand_from add list help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand project; and not __fish_seen_subcommand_from add list help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand project; and not __fish_seen_subcommand_from add list help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand project; and not __fish_seen_subcommand_from add list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand project; and not __fish_seen_subcommand_from add list help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand project; and not __fish_seen_subcommand_from add list help" -f -a "add" -d 'Add a project with its contacts and SLA targets'
complete -c amoe -n "__fish_amoe_using_subcommand project; and not __fish_seen_subcommand_from add list help" -f -a "list" -d 'List projects'
complete -c amoe -n "__fish_amoe_using_subcommand project; and not __fish_seen_subcommand_from add list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from add" -l label -d 'Label' -r
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from add" -l moa -d 'Maîtrise d\'ouvrage contact' -r
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from add" -l moe -d 'Maîtrise d\'œuvre contact' -r
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from add" -l amoa -d 'Assistance à maîtrise d\'ouvrage contact' -r
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from add" -l sla -d 'SLA targets (JSON)' -r
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from add" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from add" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a project with its contacts and SLA targets'
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from help" -f -a "list" -d 'List projects'
complete -c amoe -n "__fish_amoe_using_subcommand project; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -f -a "add" -d 'Add a space (one per customer structure)'
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -f -a "join" -d 'Put a user in a space'
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -f -a "leave" -d 'Take a user out of a space (they no longer see its tickets, their own included)'
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -f -a "list" -d 'List spaces and their members'
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -f -a "link" -d 'Make a space stand for a beneficiary: its members see the beneficiary\'s sites on the extranet'
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -f -a "unlink" -d 'Undo `space link`'
complete -c amoe -n "__fish_amoe_using_subcommand space; and not __fish_seen_subcommand_from add join leave list link unlink help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from add" -l label -d 'Label' -r
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from add" -l member -d 'Members (repeatable)' -r
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from add" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from add" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from join" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from join" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from join" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from join" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from join" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from leave" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from leave" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from leave" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from leave" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from leave" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from link" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from link" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from link" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from link" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from link" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from unlink" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from unlink" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from unlink" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from unlink" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from unlink" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a space (one per customer structure)'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from help" -f -a "join" -d 'Put a user in a space'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from help" -f -a "leave" -d 'Take a user out of a space (they no longer see its tickets, their own included)'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from help" -f -a "list" -d 'List spaces and their members'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from help" -f -a "link" -d 'Make a space stand for a beneficiary: its members see the beneficiary\'s sites on the extranet'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from help" -f -a "unlink" -d 'Undo `space link`'
complete -c amoe -n "__fish_amoe_using_subcommand space; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and not __fish_seen_subcommand_from grant list help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand acl; and not __fish_seen_subcommand_from grant list help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand acl; and not __fish_seen_subcommand_from grant list help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand acl; and not __fish_seen_subcommand_from grant list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and not __fish_seen_subcommand_from grant list help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and not __fish_seen_subcommand_from grant list help" -f -a "grant" -d 'Set a user\'s right on a project: none, read (every ticket of it) or write'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and not __fish_seen_subcommand_from grant list help" -f -a "list" -d 'List the rights'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and not __fish_seen_subcommand_from grant list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from grant" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from grant" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from grant" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from grant" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from grant" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "grant" -d 'Set a user\'s right on a project: none, read (every ticket of it) or write'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the rights'
complete -c amoe -n "__fish_amoe_using_subcommand acl; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "new" -d 'Open a ticket'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "list" -d 'List tickets, newest first; every filter combines'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "show" -d 'Show a ticket, its history and SLA clocks'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "comment" -d 'Add a comment (with the time spent, shown only to users who see time)'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "assign" -d 'Give a ticket to someone'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "status" -d 'Change a ticket\'s status'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "attach" -d 'Attach a file (stored once by SHA-256 in the store; 10 MiB at most)'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "import-mail" -d 'Read one e-mail on standard input: a new ticket, or a comment on the ticket it answers'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "notify" -d 'Send the notices still owed (after the SMTP server was down); for cron'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "stats" -d 'Figures: tickets by type and status, opened and closed per period, delays, SLA breaches'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "export" -d 'Write the tickets you may see to a spreadsheet, CSV or JSON (dates as dates)'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "link" -d 'Link two tickets (a problem and its incidents)'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and not __fish_seen_subcommand_from new list show comment assign status attach import-mail notify stats export link help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l project -d 'Project' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l space -d 'Space' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l type -d 'Type' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l title -d 'Title' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l priority -d 'Priority' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l body -d 'First comment' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l site -d 'The site it is about' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l host -d 'The host it is about' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l beneficiary -d 'The beneficiary it is about (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l reporter -d 'Open it for this user (a member of the space), e.g. after a phone call' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from new" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l project -d 'Project' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l space -d 'Space' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l status -d 'Status' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l type -d 'Type' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l priority -d 'Priority' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l reporter -d 'Reporter (e-mail)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l assignee -d 'Assignee (e-mail)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l site -d 'Site: the site\'s history' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l host -d 'Host' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l beneficiary -d 'Beneficiary (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l since -d 'Opened since (YYYY-MM-DD)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l text -d 'Words in the title' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l limit -d 'At most this many, newest first (0: all)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from show" -l format -d '`md`: the intervention sheet' -r -f -a "md\t'The intervention sheet in Markdown (002 §5.2.6)'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from show" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from comment" -l minutes -d 'Minutes spent' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from comment" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from comment" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from comment" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from comment" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from comment" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from comment" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from assign" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from assign" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from assign" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from assign" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from assign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from assign" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from status" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from status" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from status" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from attach" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from attach" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from attach" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from attach" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from attach" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from attach" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from import-mail" -l project -d 'Project of the tickets new messages open' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from import-mail" -l space -d 'Space of new tickets (default: the sender\'s only space)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from import-mail" -l type -d 'Type of new tickets' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from import-mail" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from import-mail" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from import-mail" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from import-mail" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from import-mail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from import-mail" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from notify" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from notify" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from notify" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from notify" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from notify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from notify" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l by -d 'Opened and closed per day, month or year' -r -f -a "day\t'Per day'
month\t'Per month'
year\t'Per year'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l project -d 'Project' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l space -d 'Space' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l status -d 'Status' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l type -d 'Type' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l priority -d 'Priority' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l reporter -d 'Reporter (e-mail)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l assignee -d 'Assignee (e-mail)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l site -d 'Site: the site\'s history' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l host -d 'Host' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l beneficiary -d 'Beneficiary (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l since -d 'Opened since (YYYY-MM-DD)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l text -d 'Words in the title' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l format -d 'Write a file instead of printing (with --out)' -r -f -a "xlsx\t'Excel (Office Open XML)'
ods\t'OpenDocument spreadsheet (LibreOffice)'
csv\t'CSV, one header line'
json\t'JSON: one object per row, keyed by title'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l out -d 'The file to write' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l project -d 'Project' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l space -d 'Space' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l status -d 'Status' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l type -d 'Type' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l priority -d 'Priority' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l reporter -d 'Reporter (e-mail)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l assignee -d 'Assignee (e-mail)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l site -d 'Site: the site\'s history' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l host -d 'Host' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l beneficiary -d 'Beneficiary (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l since -d 'Opened since (YYYY-MM-DD)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l text -d 'Words in the title' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l format -d 'xlsx, ods, csv or json' -r -f -a "xlsx\t'Excel (Office Open XML)'
ods\t'OpenDocument spreadsheet (LibreOffice)'
csv\t'CSV, one header line'
json\t'JSON: one object per row, keyed by title'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l out -d 'The file to write' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l lang -d 'Language of the titles and words' -r -f -a "fr\t''
en\t''"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from link" -l kind -d 'Kind of link' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from link" -l as -d 'Act as this user (administrators, to prepare or check a customer\'s view)' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from link" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from link" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from link" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from link" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from link" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "new" -d 'Open a ticket'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "list" -d 'List tickets, newest first; every filter combines'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a ticket, its history and SLA clocks'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "comment" -d 'Add a comment (with the time spent, shown only to users who see time)'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "assign" -d 'Give a ticket to someone'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "status" -d 'Change a ticket\'s status'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "attach" -d 'Attach a file (stored once by SHA-256 in the store; 10 MiB at most)'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "import-mail" -d 'Read one e-mail on standard input: a new ticket, or a comment on the ticket it answers'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "notify" -d 'Send the notices still owed (after the SMTP server was down); for cron'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Figures: tickets by type and status, opened and closed per period, delays, SLA breaches'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the tickets you may see to a spreadsheet, CSV or JSON (dates as dates)'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "link" -d 'Link two tickets (a problem and its incidents)'
complete -c amoe -n "__fish_amoe_using_subcommand ticket; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and not __fish_seen_subcommand_from add show sent list help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand quote; and not __fish_seen_subcommand_from add show sent list help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and not __fish_seen_subcommand_from add show sent list help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand quote; and not __fish_seen_subcommand_from add show sent list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and not __fish_seen_subcommand_from add show sent list help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and not __fish_seen_subcommand_from add show sent list help" -f -a "add" -d 'Record a quote request; it is due 10 working days later (French calendar)'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and not __fish_seen_subcommand_from add show sent list help" -f -a "show" -d 'Show one quote with its due day and lateness'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and not __fish_seen_subcommand_from add show sent list help" -f -a "sent" -d 'Record when a quote was sent'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and not __fish_seen_subcommand_from add show sent list help" -f -a "list" -d 'List quotes with their due day and how many working days late they are (or were)'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and not __fish_seen_subcommand_from add show sent list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from add" -l beneficiary -d 'The beneficiary (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from add" -l requested-at -d 'When the request came: RFC 3339, or a date (midnight, Paris)' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from add" -l ticket -d 'The ticket it came with' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from add" -l note -d 'A note' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from add" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from add" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from sent" -l at -d 'When: RFC 3339, or a date (midnight, Paris)' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from sent" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from sent" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from sent" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from sent" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from sent" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from list" -l beneficiary -d 'One beneficiary (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from list" -l late -d 'Only those late'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from help" -f -a "add" -d 'Record a quote request; it is due 10 working days later (French calendar)'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one quote with its due day and lateness'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from help" -f -a "sent" -d 'Record when a quote was sent'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from help" -f -a "list" -d 'List quotes with their due day and how many working days late they are (or were)'
complete -c amoe -n "__fish_amoe_using_subcommand quote; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and not __fish_seen_subcommand_from import list show help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and not __fish_seen_subcommand_from import list show help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and not __fish_seen_subcommand_from import list show help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and not __fish_seen_subcommand_from import list show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and not __fish_seen_subcommand_from import list show help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and not __fish_seen_subcommand_from import list show help" -f -a "import" -d 'Replace a lot\'s price schedule with a CSV file (refused whole if one line is bad)'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and not __fish_seen_subcommand_from import list show help" -f -a "list" -d 'List a lot\'s price lines (or every lot\'s)'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and not __fish_seen_subcommand_from import list show help" -f -a "show" -d 'Show one price line'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and not __fish_seen_subcommand_from import list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from import" -l lot -d 'The lot it prices (each lot is its own agreement, 002 art. 3)' -r
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from import" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from import" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from import" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from list" -l lot -r
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from show" -l lot -d 'The lot' -r
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from help" -f -a "import" -d 'Replace a lot\'s price schedule with a CSV file (refused whole if one line is bad)'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from help" -f -a "list" -d 'List a lot\'s price lines (or every lot\'s)'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one price line'
complete -c amoe -n "__fish_amoe_using_subcommand bpu; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand order; and not __fish_seen_subcommand_from add list show update help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand order; and not __fish_seen_subcommand_from add list show update help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and not __fish_seen_subcommand_from add list show update help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand order; and not __fish_seen_subcommand_from add list show update help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand order; and not __fish_seen_subcommand_from add list show update help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand order; and not __fish_seen_subcommand_from add list show update help" -f -a "add" -d 'Record an order over the beneficiary\'s lot\'s price schedule'
complete -c amoe -n "__fish_amoe_using_subcommand order; and not __fish_seen_subcommand_from add list show update help" -f -a "list" -d 'List orders'
complete -c amoe -n "__fish_amoe_using_subcommand order; and not __fish_seen_subcommand_from add list show update help" -f -a "show" -d 'Show one order and its lines'
complete -c amoe -n "__fish_amoe_using_subcommand order; and not __fish_seen_subcommand_from add list show update help" -f -a "update" -d 'Correct an order\'s number, date or note'
complete -c amoe -n "__fish_amoe_using_subcommand order; and not __fish_seen_subcommand_from add list show update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from add" -l beneficiary -d 'The ordering beneficiary (SIRET); unknown ones are refused (002 art. 4.3)' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from add" -l number -d 'The order\'s number' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from add" -l date -d 'Its date (YYYY-MM-DD)' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from add" -l line -d 'A line: CODE:QUANTITY[:PRICE] (repeatable)' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from add" -l note -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from add" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from add" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from list" -l from -d 'First day (YYYY-MM-DD)' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from list" -l to -d 'Last day' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from list" -l beneficiary -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from update" -l number -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from update" -l date -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from update" -l note -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from update" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from update" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from help" -f -a "add" -d 'Record an order over the beneficiary\'s lot\'s price schedule'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from help" -f -a "list" -d 'List orders'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one order and its lines'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from help" -f -a "update" -d 'Correct an order\'s number, date or note'
complete -c amoe -n "__fish_amoe_using_subcommand order; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and not __fish_seen_subcommand_from add list show update help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand contract; and not __fish_seen_subcommand_from add list show update help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and not __fish_seen_subcommand_from add list show update help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand contract; and not __fish_seen_subcommand_from add list show update help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and not __fish_seen_subcommand_from add list show update help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and not __fish_seen_subcommand_from add list show update help" -f -a "add" -d 'Record a support contract: daily rate, hours per day, cap, VAT, period'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and not __fish_seen_subcommand_from add list show update help" -f -a "list" -d 'List contracts'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and not __fish_seen_subcommand_from add list show update help" -f -a "show" -d 'Show one contract and what it has consumed'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and not __fish_seen_subcommand_from add list show update help" -f -a "update" -d 'Change a contract\'s terms'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and not __fish_seen_subcommand_from add list show update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -l beneficiary -d 'The customer (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -l daily-rate -d 'Price of one day of intervention, euros excluding tax' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -l hours-per-day -d 'Hours in one day of intervention (7, 7.5)' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -l cap -d 'The cap, euros excluding tax (004 art. 3-2: 29000)' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -l vat -d 'VAT rate in percent' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -l from -d 'First day covered (YYYY-MM-DD)' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -l to -d 'Last day covered' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -l label -d 'A label (the market\'s reference)' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from list" -l beneficiary -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -l daily-rate -d 'Price of one day of intervention, euros excluding tax' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -l hours-per-day -d 'Hours in one day of intervention (7, 7.5)' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -l cap -d 'The cap, euros excluding tax (004 art. 3-2: 29000)' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -l vat -d 'VAT rate in percent' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -l from -d 'First day covered (YYYY-MM-DD)' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -l to -d 'Last day covered' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -l label -d 'A label (the market\'s reference)' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "add" -d 'Record a support contract: daily rate, hours per day, cap, VAT, period'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "list" -d 'List contracts'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one contract and what it has consumed'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a contract\'s terms'
complete -c amoe -n "__fish_amoe_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and not __fish_seen_subcommand_from log list show update help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and not __fish_seen_subcommand_from log list show update help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and not __fish_seen_subcommand_from log list show update help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and not __fish_seen_subcommand_from log list show update help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and not __fish_seen_subcommand_from log list show update help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and not __fish_seen_subcommand_from log list show update help" -f -a "log" -d 'Record an intervention; it counts against the customer\'s contract of that day'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and not __fish_seen_subcommand_from log list show update help" -f -a "list" -d 'List interventions'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and not __fish_seen_subcommand_from log list show update help" -f -a "show" -d 'Show one intervention'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and not __fish_seen_subcommand_from log list show update help" -f -a "update" -d 'Correct an intervention'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and not __fish_seen_subcommand_from log list show update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from log" -l beneficiary -d 'The customer (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from log" -l start -d 'When it began (Paris time, or RFC 3339)' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from log" -l duration -d 'How long: 1h30, 45m, 2h' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from log" -l detail -d 'What was done' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from log" -l ticket -d 'Its ticket' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from log" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from log" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from log" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from log" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from list" -l month -d 'A month (YYYY-MM)' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from list" -l beneficiary -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from update" -l start -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from update" -l duration -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from update" -l detail -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from update" -l ticket -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from update" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from update" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from help" -f -a "log" -d 'Record an intervention; it counts against the customer\'s contract of that day'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from help" -f -a "list" -d 'List interventions'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one intervention'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from help" -f -a "update" -d 'Correct an intervention'
complete -c amoe -n "__fish_amoe_using_subcommand intervention; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -f -a "open" -d 'Record an incident and tell the customer\'s contacts by mail (003 §4.1.4.1)'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -f -a "close" -d 'Record that service was restored'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -f -a "update" -d 'Correct an incident\'s record'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -f -a "list" -d 'List incidents (of a month: YYYY-MM)'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -f -a "show" -d 'Show one incident'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and not __fish_seen_subcommand_from open close update list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l site -d 'The site concerned (none: the whole service)' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l start -d 'When it began (Paris time, or RFC 3339)' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l detected-by -d 'Who detected it (QS-05)' -r -f -a "us\t'The contractor\'s supervision'
customer\t'The administration'"
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l nature -d 'Its nature' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l measures -d 'The measures taken' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l told-at -d 'When the customer was told, if not by this command\'s mail' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l restored-at -d 'When service was restored, if it already is' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l ticket -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l lang -d 'Write the notice in English' -r -f -a "fr\t''
en\t''"
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l ours -d 'On equipment under our responsibility (QS-04)'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l not-ours -d 'Not on our equipment (the customer\'s origin, a third party)'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -l no-mail -d 'Do not mail the contacts'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from open" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from close" -l restored-at -d 'When the site was visible on the Internet again' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from close" -l measures -d 'The measures taken' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from close" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from close" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from close" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from close" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from close" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -l start -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -l detected-by -r -f -a "us\t'The contractor\'s supervision'
customer\t'The administration'"
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -l ours -d 'On our equipment: true or false' -r -f -a "true\t''
false\t''"
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -l nature -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -l measures -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -l told-at -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -l restored-at -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -l ticket -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from list" -l month -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from help" -f -a "open" -d 'Record an incident and tell the customer\'s contacts by mail (003 §4.1.4.1)'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from help" -f -a "close" -d 'Record that service was restored'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from help" -f -a "update" -d 'Correct an incident\'s record'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from help" -f -a "list" -d 'List incidents (of a month: YYYY-MM)'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one incident'
complete -c amoe -n "__fish_amoe_using_subcommand incident; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand change; and not __fish_seen_subcommand_from add list show update help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand change; and not __fish_seen_subcommand_from add list show update help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and not __fish_seen_subcommand_from add list show update help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand change; and not __fish_seen_subcommand_from add list show update help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand change; and not __fish_seen_subcommand_from add list show update help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand change; and not __fish_seen_subcommand_from add list show update help" -f -a "add" -d 'Record a change of settings the customer asked for; the next push of the site carries it'
complete -c amoe -n "__fish_amoe_using_subcommand change; and not __fish_seen_subcommand_from add list show update help" -f -a "list" -d 'List change requests with when they took effect'
complete -c amoe -n "__fish_amoe_using_subcommand change; and not __fish_seen_subcommand_from add list show update help" -f -a "show" -d 'Show one change request'
complete -c amoe -n "__fish_amoe_using_subcommand change; and not __fish_seen_subcommand_from add list show update help" -f -a "update" -d 'Correct a change request'
complete -c amoe -n "__fish_amoe_using_subcommand change; and not __fish_seen_subcommand_from add list show update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from add" -l site -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from add" -l asked-at -d 'When the customer asked (default: now)' -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from add" -l detail -d 'What was asked' -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from add" -l ticket -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from add" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from add" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from list" -l site -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from show" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from show" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from update" -l asked-at -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from update" -l detail -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from update" -l ticket -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from update" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from update" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from help" -f -a "add" -d 'Record a change of settings the customer asked for; the next push of the site carries it'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from help" -f -a "list" -d 'List change requests with when they took effect'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one change request'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from help" -f -a "update" -d 'Correct a change request'
complete -c amoe -n "__fish_amoe_using_subcommand change; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -l message -d 'Why (kept with the release and in the journal)' -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -l ticket -d 'Record the deploy on this ticket' -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -l keep -d 'Releases kept on each host (never the current one or a staged one)' -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -l flush -d 'Soft-purge the site\'s cache after the switch'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -l dry-run -d 'Show what would be sent (files, size, SHA-256, hosts) and send nothing'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -l stage -d 'Phase one only: send the release, switch later with `amoe deploy switch`'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -a "switch" -d 'Make a release already sent current on every host (phase two; from cron or `at` at the date agreed with the customer)'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -a "list" -d 'The releases on each host: which is current, which are staged, who sent them'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -a "promote" -d 'Deploy the very release (same SHA-256) accepted on another site (pre-production), under the same id'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -a "rollback" -d 'Switch back to the release served before (or to --to ID), everywhere'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and not __fish_seen_subcommand_from switch list promote rollback help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from switch" -l keep -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from switch" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from switch" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from switch" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from switch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from switch" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from list" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from list" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from promote" -l from -d 'The site it was accepted on' -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from promote" -l message -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from promote" -l ticket -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from promote" -l keep -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from promote" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from promote" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from promote" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from promote" -l flush -d 'Soft-purge the site\'s cache after the switch'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from promote" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from promote" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from rollback" -l to -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from rollback" -l keep -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from rollback" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from rollback" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from rollback" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from rollback" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from help" -f -a "switch" -d 'Make a release already sent current on every host (phase two; from cron or `at` at the date agreed with the customer)'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from help" -f -a "list" -d 'The releases on each host: which is current, which are staged, who sent them'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from help" -f -a "promote" -d 'Deploy the very release (same SHA-256) accepted on another site (pre-production), under the same id'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from help" -f -a "rollback" -d 'Switch back to the release served before (or to --to ID), everywhere'
complete -c amoe -n "__fish_amoe_using_subcommand deploy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and not __fish_seen_subcommand_from serve routes help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and not __fish_seen_subcommand_from serve routes help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and not __fish_seen_subcommand_from serve routes help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and not __fish_seen_subcommand_from serve routes help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and not __fish_seen_subcommand_from serve routes help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and not __fish_seen_subcommand_from serve routes help" -f -a "serve" -d 'Serve the extranet: sites, statistics, tickets, deposits and the flush form, behind sign-in'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and not __fish_seen_subcommand_from serve routes help" -f -a "routes" -d 'List the extranet\'s pages and actions, with the rule that decides who reaches each'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and not __fish_seen_subcommand_from serve routes help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from serve" -l listen -d 'Address and port to listen on' -r
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from serve" -l tls-cert -d 'Certificate chain (PEM) to serve HTTPS' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from serve" -l tls-key -d 'Its private key (PEM)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from serve" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from serve" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from serve" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from routes" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from routes" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from routes" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from routes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from routes" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the extranet: sites, statistics, tickets, deposits and the flush form, behind sign-in'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from help" -f -a "routes" -d 'List the extranet\'s pages and actions, with the rule that decides who reaches each'
complete -c amoe -n "__fish_amoe_using_subcommand extranet; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -f -a "canut" -d 'The CANUT report of a semester (002 art. 6)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -f -a "qos" -d 'The quality of service of a month: QS-01 to QS-07 with evidence (003 §3.2.10.1)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -f -a "monthly" -d 'The monthly activity report (003 §4.1.1, §4.1.4.2)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -f -a "interventions" -d 'The daily follow-up of interventions and the budget against the cap (004 §9.3, §10)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -f -a "weekly" -d 'A site\'s weekly statistics from the collected logs (003 §3.2.3.2)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -f -a "dossier" -d 'Write a site\'s definition file from the store (003 §3.2.1.5) and record it (QS-07)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and not __fish_seen_subcommand_from canut qos monthly interventions weekly dossier help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -l semester -d 'YYYY-S1 or YYYY-S2' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -l notes -d 'A Markdown file of the semester\'s notes' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -l format -r -f -a "xlsx\t'Excel, one sheet per part'
ods\t'OpenDocument spreadsheet, one sheet per part'
csv\t'CSV, the parts one after the other, each under its title'
json\t'JSON: the parts with stable English keys, money in cents'
md\t'Markdown'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -l out -d 'The file to write (default: standard output, for csv, json and md)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -l lang -d 'Language of the titles and words' -r -f -a "fr\t''
en\t''"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -l chart -d 'Also draw the report\'s chart (FILE.svg or FILE.png)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from canut" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from qos" -l month -d 'YYYY-MM' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from qos" -l format -r -f -a "xlsx\t'Excel, one sheet per part'
ods\t'OpenDocument spreadsheet, one sheet per part'
csv\t'CSV, the parts one after the other, each under its title'
json\t'JSON: the parts with stable English keys, money in cents'
md\t'Markdown'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from qos" -l out -d 'The file to write (default: standard output, for csv, json and md)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from qos" -l lang -d 'Language of the titles and words' -r -f -a "fr\t''
en\t''"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from qos" -l chart -d 'Also draw the report\'s chart (FILE.svg or FILE.png)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from qos" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from qos" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from qos" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from qos" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from qos" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -l month -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -l beneficiary -d 'One beneficiary (SIRET)' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -l format -r -f -a "xlsx\t'Excel, one sheet per part'
ods\t'OpenDocument spreadsheet, one sheet per part'
csv\t'CSV, the parts one after the other, each under its title'
json\t'JSON: the parts with stable English keys, money in cents'
md\t'Markdown'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -l out -d 'The file to write (default: standard output, for csv, json and md)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -l lang -d 'Language of the titles and words' -r -f -a "fr\t''
en\t''"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -l chart -d 'Also draw the report\'s chart (FILE.svg or FILE.png)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from monthly" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -l month -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -l beneficiary -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -l format -r -f -a "xlsx\t'Excel, one sheet per part'
ods\t'OpenDocument spreadsheet, one sheet per part'
csv\t'CSV, the parts one after the other, each under its title'
json\t'JSON: the parts with stable English keys, money in cents'
md\t'Markdown'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -l out -d 'The file to write (default: standard output, for csv, json and md)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -l lang -d 'Language of the titles and words' -r -f -a "fr\t''
en\t''"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -l chart -d 'Also draw the report\'s chart (FILE.svg or FILE.png)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from interventions" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -l week -d 'YYYY-Www (ISO week)' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -l metrics -d 'The figures the beneficiary chose, beyond attendance, volume and cache (comma-separated)' -r -f -a "top-urls\t'The most requested paths'
status\t'Answers by status code'
methods\t'Requests by method'
times\t'Response times (median, 90th and 99th percentiles)'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -l format -r -f -a "xlsx\t'Excel, one sheet per part'
ods\t'OpenDocument spreadsheet, one sheet per part'
csv\t'CSV, the parts one after the other, each under its title'
json\t'JSON: the parts with stable English keys, money in cents'
md\t'Markdown'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -l out -d 'The file to write (default: standard output, for csv, json and md)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -l lang -d 'Language of the titles and words' -r -f -a "fr\t''
en\t''"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -l chart -d 'Also draw the report\'s chart (FILE.svg or FILE.png)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -l mail -d 'Mail it to the contacts of the site\'s beneficiary'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from weekly" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from dossier" -l out -d 'The Markdown file to write' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from dossier" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from dossier" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from dossier" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from dossier" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from dossier" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "canut" -d 'The CANUT report of a semester (002 art. 6)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "qos" -d 'The quality of service of a month: QS-01 to QS-07 with evidence (003 §3.2.10.1)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "monthly" -d 'The monthly activity report (003 §4.1.1, §4.1.4.2)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "interventions" -d 'The daily follow-up of interventions and the budget against the cap (004 §9.3, §10)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "weekly" -d 'A site\'s weekly statistics from the collected logs (003 §3.2.3.2)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "dossier" -d 'Write a site\'s definition file from the store (003 §3.2.1.5) and record it (QS-07)'
complete -c amoe -n "__fish_amoe_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand stats" -l from -d 'First day (YYYY-MM-DD or `yesterday`)' -r
complete -c amoe -n "__fish_amoe_using_subcommand stats" -l to -d 'Last day' -r
complete -c amoe -n "__fish_amoe_using_subcommand stats" -l by -d 'One row per day or per hour' -r -f -a "day\t'One row per day'
hour\t'One row per hour'"
complete -c amoe -n "__fish_amoe_using_subcommand stats" -l top -d 'How many of the most requested paths to list' -r
complete -c amoe -n "__fish_amoe_using_subcommand stats" -l chart -d 'Also draw the periods as a chart (SVG or PNG, by the file\'s extension)' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand stats" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand stats" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand stats" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand stats" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand export" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand export" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand export" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand export" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand import" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand import" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand import" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand import" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand backup" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand backup" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand backup" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand backup" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand store; and not __fish_seen_subcommand_from copy help" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand store; and not __fish_seen_subcommand_from copy help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand store; and not __fish_seen_subcommand_from copy help" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand store; and not __fish_seen_subcommand_from copy help" -f -a "copy" -d 'Copy the whole store to a new file or an empty PostgreSQL database, and check the copy'
complete -c amoe -n "__fish_amoe_using_subcommand store; and not __fish_seen_subcommand_from copy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand store; and __fish_seen_subcommand_from copy" -l to -d 'The new store: a file path (new or empty) or a `postgres://USER@HOST/DATABASE` URL' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand store; and __fish_seen_subcommand_from copy" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand store; and __fish_seen_subcommand_from copy" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand store; and __fish_seen_subcommand_from copy" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand store; and __fish_seen_subcommand_from copy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand store; and __fish_seen_subcommand_from copy" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "copy" -d 'Copy the whole store to a new file or an empty PostgreSQL database, and check the copy'
complete -c amoe -n "__fish_amoe_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand demo" -l keep -d 'Keep the demo\'s store and files in DIR instead of removing them' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand demo" -l store -d 'Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]' -r -F
complete -c amoe -n "__fish_amoe_using_subcommand demo" -l operator -d 'Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]' -r
complete -c amoe -n "__fish_amoe_using_subcommand demo" -s o -l output -d 'Output format [env: AMOE_OUTPUT; default: table]' -r -f -a "table\t'A table for people (the default)'
json\t'JSON, one document; shapes are documented in `schemas/`'
csv\t'CSV with a header line; list values are separated by spaces'"
complete -c amoe -n "__fish_amoe_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c amoe -n "__fish_amoe_using_subcommand demo" -s V -l version -d 'Print version'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "init" -d 'Create the store, or bring an existing one up to date'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "beneficiary" -d 'Beneficiaries: the public bodies, by SIRET, with their lot and contacts'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "host" -d 'Hosts: the machines that run amoe-agent'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "site" -d 'Sites: web sites delivered through the CDN'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "audit" -d 'The audit journal: list it, verify its hash chain'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "ca" -d 'The project\'s certificate authority: client certificates, revocation'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "flush" -d 'Purge a site\'s cache on every host that serves it'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "outbox" -d 'Operations owed to hosts that did not confirm them yet'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "logs" -d 'Access logs: statistics of files, collection from hosts, delivery to beneficiaries'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "user" -d 'People with an account: engineers and customers\' reporters'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "project" -d 'Projects tickets are filed under (an application or a set of them)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "space" -d 'Spaces: one isolated space per customer structure'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "acl" -d 'Rights of users on projects'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "ticket" -d 'Tickets: requests, incidents, changes, releases; their history, SLA clocks'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "quote" -d 'Quotes asked by beneficiaries: due 10 working days after the request (002 §5.4.2)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "bpu" -d 'Price schedules (BPU) of the lots'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "order" -d 'Orders placed by beneficiaries over their lot\'s BPU'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "contract" -d 'Support contracts: daily rate, cap, VAT'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "intervention" -d 'Interventions counted against a contract (004 §9.3)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "incident" -d 'Incidents: start, detection, responsibility, measures, restoration (QS-02 to QS-05)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "change" -d 'Change requests and when their push took effect (QS-06)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "deploy" -d 'Deploy a site\'s release to every host: two phases, all or nothing; switch, list, rollback'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "extranet" -d 'The beneficiaries\' extranet: a password-protected web site over this store'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "report" -d 'Contract reports: canut, qos, monthly, interventions, weekly; a site\'s dossier'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "stats" -d 'A site\'s figures from the collected logs (Paris days): attendance, volume, cache, times'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "export" -d 'Write the whole store as JSON and CSV files, with a manifest of SHA-256 sums'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "import" -d 'Restore an export into a new or empty store'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "backup" -d 'Take a consistent copy of the store while others keep using it'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "store" -d 'The store as a whole: copy it to another backend'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "demo" -d 'Show what amoe does, step by step, in a temporary directory'
complete -c amoe -n "__fish_amoe_using_subcommand help; and not __fish_seen_subcommand_from init beneficiary host site audit ca flush outbox logs user project space acl ticket quote bpu order contract intervention incident change deploy extranet report stats export import backup store demo help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from beneficiary" -f -a "add" -d 'Add a beneficiary'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from beneficiary" -f -a "list" -d 'List beneficiaries'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from beneficiary" -f -a "show" -d 'Show one beneficiary'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from beneficiary" -f -a "update" -d 'Change a beneficiary\'s name, lot or contacts'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from beneficiary" -f -a "remove" -d 'Remove a beneficiary (refused while sites belong to it)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "status" -d 'Ask hosts\' agents for their status (all hosts, or one)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "add" -d 'Add a host'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "list" -d 'List hosts'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "show" -d 'Show one host'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "update" -d 'Change a host\'s address or location'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "remove" -d 'Remove a host (refused while sites are served by it)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "enroll" -d 'Issue the server certificate of a host\'s agent and write its bundle'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "renew" -d 'Issue a new server certificate for an enrolled host'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "push" -d 'Send the site\'s configuration (domains, origins, rules, activation) to its hosts'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "activate" -d 'Serve the site through the cache again, on every host'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "deactivate" -d 'Pass the site through to its origin without caching, on every host'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "rules" -d 'Validate a rules file, keep it as the site\'s new rules version and push it; show or roll back the kept versions'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "cert" -d 'Install a site\'s HTTPS certificate on its hosts, or list what they serve'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "explain" -d 'Which rule applies to a URL, and why'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "add" -d 'Add a site'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "list" -d 'List sites'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "show" -d 'Show one site'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "update" -d 'Change a site'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from site" -f -a "remove" -d 'Remove a site; its hosts stop serving it at once'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "list" -d 'List journal entries, oldest first'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Check the hash chain; exit 1 naming the first bad entry'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "init" -d 'Create the CA: CA_DIR/ca.pem and CA_DIR/ca.key (mode 0600)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "issue" -d 'Issue a client certificate: NAME.pem, NAME.key (mode 0600) and ca.pem in DIR'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "list" -d 'List every certificate issued, revoked or expired ones included'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "revoke" -d 'Revoke every valid certificate of NAME and rewrite CA_DIR/crl.pem'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "crl" -d 'Issue the revocation list again (valid one year) and push it to every host'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from outbox" -f -a "list" -d 'What is still owed, oldest first, and what hosts refused for good (parked)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from outbox" -f -a "run" -d 'Deliver what is due (for cron; exit 3 when some hosts still fail)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from outbox" -f -a "metrics" -d 'What each host owes, in Prometheus\' text format (for node_exporter\'s textfile collector)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from outbox" -f -a "drop" -d 'Remove items from the outbox without delivering them (journaled)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from logs" -f -a "stats" -d 'Statistics of log files: attendance, volume, cache, response times, top paths'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from logs" -f -a "collect" -d 'Fetch the hosts\' closed daily logs over SFTP into the local archive'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from logs" -f -a "deliver" -d 'Merge each site\'s day from every host and deliver it to the beneficiary with a notice'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from logs" -f -a "list" -d 'Each site, host and day in the archive, and what was delivered and notified'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from logs" -f -a "prune" -d 'Remove archived days older than the retention (at least 183 days)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from logs" -f -a "host" -d 'Where a host\'s logs are read over SFTP (shown when no flag is given)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from logs" -f -a "account" -d 'SFTP accounts logs are delivered to'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "add" -d 'Add a user (an administrator does; the very first user must be an administrator)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "update" -d 'Change a user\'s name, administrator right, time right or login'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "list" -d 'List users'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "password" -d 'Mail a user a one-time link to set their extranet password (an administrator does)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "totp-reset" -d 'Remove a user\'s extranet second factor (a lost phone), and end their sessions (an administrator does)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from project" -f -a "add" -d 'Add a project with its contacts and SLA targets'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from project" -f -a "list" -d 'List projects'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from space" -f -a "add" -d 'Add a space (one per customer structure)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from space" -f -a "join" -d 'Put a user in a space'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from space" -f -a "leave" -d 'Take a user out of a space (they no longer see its tickets, their own included)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from space" -f -a "list" -d 'List spaces and their members'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from space" -f -a "link" -d 'Make a space stand for a beneficiary: its members see the beneficiary\'s sites on the extranet'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from space" -f -a "unlink" -d 'Undo `space link`'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from acl" -f -a "grant" -d 'Set a user\'s right on a project: none, read (every ticket of it) or write'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from acl" -f -a "list" -d 'List the rights'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "new" -d 'Open a ticket'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "list" -d 'List tickets, newest first; every filter combines'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "show" -d 'Show a ticket, its history and SLA clocks'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "comment" -d 'Add a comment (with the time spent, shown only to users who see time)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "assign" -d 'Give a ticket to someone'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "status" -d 'Change a ticket\'s status'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "attach" -d 'Attach a file (stored once by SHA-256 in the store; 10 MiB at most)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "import-mail" -d 'Read one e-mail on standard input: a new ticket, or a comment on the ticket it answers'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "notify" -d 'Send the notices still owed (after the SMTP server was down); for cron'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "stats" -d 'Figures: tickets by type and status, opened and closed per period, delays, SLA breaches'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "export" -d 'Write the tickets you may see to a spreadsheet, CSV or JSON (dates as dates)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from ticket" -f -a "link" -d 'Link two tickets (a problem and its incidents)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from quote" -f -a "add" -d 'Record a quote request; it is due 10 working days later (French calendar)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from quote" -f -a "show" -d 'Show one quote with its due day and lateness'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from quote" -f -a "sent" -d 'Record when a quote was sent'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from quote" -f -a "list" -d 'List quotes with their due day and how many working days late they are (or were)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from bpu" -f -a "import" -d 'Replace a lot\'s price schedule with a CSV file (refused whole if one line is bad)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from bpu" -f -a "list" -d 'List a lot\'s price lines (or every lot\'s)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from bpu" -f -a "show" -d 'Show one price line'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from order" -f -a "add" -d 'Record an order over the beneficiary\'s lot\'s price schedule'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from order" -f -a "list" -d 'List orders'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from order" -f -a "show" -d 'Show one order and its lines'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from order" -f -a "update" -d 'Correct an order\'s number, date or note'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "add" -d 'Record a support contract: daily rate, hours per day, cap, VAT, period'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "list" -d 'List contracts'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "show" -d 'Show one contract and what it has consumed'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "update" -d 'Change a contract\'s terms'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from intervention" -f -a "log" -d 'Record an intervention; it counts against the customer\'s contract of that day'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from intervention" -f -a "list" -d 'List interventions'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from intervention" -f -a "show" -d 'Show one intervention'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from intervention" -f -a "update" -d 'Correct an intervention'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from incident" -f -a "open" -d 'Record an incident and tell the customer\'s contacts by mail (003 §4.1.4.1)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from incident" -f -a "close" -d 'Record that service was restored'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from incident" -f -a "update" -d 'Correct an incident\'s record'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from incident" -f -a "list" -d 'List incidents (of a month: YYYY-MM)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from incident" -f -a "show" -d 'Show one incident'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from change" -f -a "add" -d 'Record a change of settings the customer asked for; the next push of the site carries it'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from change" -f -a "list" -d 'List change requests with when they took effect'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from change" -f -a "show" -d 'Show one change request'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from change" -f -a "update" -d 'Correct a change request'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from deploy" -f -a "switch" -d 'Make a release already sent current on every host (phase two; from cron or `at` at the date agreed with the customer)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from deploy" -f -a "list" -d 'The releases on each host: which is current, which are staged, who sent them'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from deploy" -f -a "promote" -d 'Deploy the very release (same SHA-256) accepted on another site (pre-production), under the same id'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from deploy" -f -a "rollback" -d 'Switch back to the release served before (or to --to ID), everywhere'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from extranet" -f -a "serve" -d 'Serve the extranet: sites, statistics, tickets, deposits and the flush form, behind sign-in'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from extranet" -f -a "routes" -d 'List the extranet\'s pages and actions, with the rule that decides who reaches each'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "canut" -d 'The CANUT report of a semester (002 art. 6)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "qos" -d 'The quality of service of a month: QS-01 to QS-07 with evidence (003 §3.2.10.1)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "monthly" -d 'The monthly activity report (003 §4.1.1, §4.1.4.2)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "interventions" -d 'The daily follow-up of interventions and the budget against the cap (004 §9.3, §10)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "weekly" -d 'A site\'s weekly statistics from the collected logs (003 §3.2.3.2)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "dossier" -d 'Write a site\'s definition file from the store (003 §3.2.1.5) and record it (QS-07)'
complete -c amoe -n "__fish_amoe_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "copy" -d 'Copy the whole store to a new file or an empty PostgreSQL database, and check the copy'
