select sale_id, buyer_id, seller_id
from {{ ref('stg_tickit__sales') }}
where buyer_id = seller_id
